// Workload kernels: one single-threaded kernel per model, sized by `n` (see ../../README.md,
// "Workload kernels").
//
// Owns: choosing the kernel by model name, timing it (work_ns: from just before the kernel
// starts to just after its checksum value exists), formatting the checksum and the result
// event. Must not: change a kernel, include the formatting in work_ns, or start any thread.
'use strict';

const { emit, nanosSince } = require('./protocol');
const { nbody } = require('./nbody');
const { spectralNorm } = require('./spectral_norm');
const { fannkuchRedux } = require('./fannkuch_redux');
const { binaryTrees } = require('./binary_trees');

const PARAMETERS = ['n'];

// The contract's float format: exactly 9 decimals, rounded from the exact binary value.
const FLOAT_DECIMALS = 9;

/**
 * Run `kernel` once, timed, then print its result. `kernel()` returns the raw checksum value
 * and ops; `format` turns that value into the checksum string outside the timed region.
 */
function runTimed(kernel, format) {
  const startNs = process.hrtime.bigint();
  const { value, ops } = kernel();
  const workNs = nanosSince(startNs);
  emit('result', { checksum: format(value), ops, work_ns: workNs });
}

const formatFloat = (x) => x.toFixed(FLOAT_DECIMALS);

const MODELS = {
  nbody: ({ n }) => runTimed(() => ({ value: nbody(n), ops: n }), formatFloat),
  'spectral-norm': ({ n }) => runTimed(() => ({ value: spectralNorm(n), ops: n }), formatFloat),
  'fannkuch-redux': ({ n }) =>
    runTimed(
      () => {
        const { checksum, maxFlips, permutations } = fannkuchRedux(n);
        return { value: { checksum, maxFlips }, ops: permutations };
      },
      ({ checksum, maxFlips }) => `${checksum}:${maxFlips}`,
    ),
  'binary-trees': ({ n }) =>
    runTimed(() => {
      const total = binaryTrees(n);
      return { value: total, ops: total };
    }, String),
};

module.exports = { PARAMETERS, MODELS };
