// Workload jit-warmup: K runs of one benchmark in one process, each timed alone (see
// ../../README.md, "Workload jit-warmup").
//
// Owns: the iteration loop, each iteration's timing (one whole kernel from scratch: nbody,
// spectral-norm or fannkuch-redux, the kernels workload's own modules), the iter events and the
// result event. A model is `<configuration>-<benchmark>`; every configuration (default,
// jitless, no-opt) is a node flag set by the runner, so all run this same code. Must not: reuse
// bodies, vectors, permutations or any result between iterations, or print inside the timed
// region.
'use strict';

const { emit } = require('./protocol');
const { nbody } = require('./nbody');
const { spectralNorm } = require('./spectral_norm');
const { fannkuchRedux } = require('./fannkuch_redux');

const PARAMETERS = ['iterations', 'n'];

const FLOAT_DECIMALS = 9;
const formatFloat = (x) => x.toFixed(FLOAT_DECIMALS);

// Each benchmark: one whole kernel run from scratch and its checksum's format.
const BENCHMARKS = {
  nbody: { kernel: nbody, format: formatFloat },
  'spectral-norm': { kernel: spectralNorm, format: formatFloat },
  'fannkuch-redux': {
    kernel: fannkuchRedux,
    format: ({ checksum, maxFlips }) => `${checksum}:${maxFlips}`,
  },
};

function runner({ kernel, format }) {
  return ({ iterations, n }) => {
    let totalNs = 0;
    let value = null;
    for (let i = 0; i < iterations; i++) {
      const startNs = process.hrtime.bigint();
      value = kernel(n); // builds its bodies, vectors or permutations anew every time
      const ns = Number(process.hrtime.bigint() - startNs);
      totalNs += ns;
      emit('iter', { i, ns });
    }
    emit('result', { checksum: format(value), ops: iterations, total_ns: totalNs });
  };
}

const CONFIGURATIONS = ['default', 'jitless', 'no-opt'];

const MODELS = {};
for (const configuration of CONFIGURATIONS) {
  for (const [name, benchmark] of Object.entries(BENCHMARKS)) {
    MODELS[`${configuration}-${name}`] = runner(benchmark);
  }
}

module.exports = { PARAMETERS, MODELS };
