// Workload jit-warmup: K nbody runs in one process, each timed alone (see ../../README.md,
// "Workload jit-warmup").
//
// Owns: the iteration loop, each iteration's timing (fresh bodies, offset, advance n steps,
// energy), the iter events and the result event. Every model (default, jitless, no-opt) is a
// node flag set by the runner, so all run this same code. Must not: reuse bodies or any result
// between iterations, or print inside the timed region.
'use strict';

const { emit } = require('./protocol');
const { nbody } = require('./nbody');

const PARAMETERS = ['iterations', 'n'];

const FLOAT_DECIMALS = 9;

function runJitWarmup({ iterations, n }) {
  let totalNs = 0;
  let energy = 0;
  for (let i = 0; i < iterations; i++) {
    const startNs = process.hrtime.bigint();
    energy = nbody(n); // builds new bodies every time
    const ns = Number(process.hrtime.bigint() - startNs);
    totalNs += ns;
    emit('iter', { i, ns });
  }
  emit('result', { checksum: energy.toFixed(FLOAT_DECIMALS), ops: iterations, total_ns: totalNs });
}

const MODELS = {
  default: runJitWarmup,
  jitless: runJitWarmup,
  'no-opt': runJitWarmup,
};

module.exports = { PARAMETERS, MODELS };
