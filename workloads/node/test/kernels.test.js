// The contract's kernels test vectors, and the kernels workload's result line.
// Must not weaken a vector. The largest vectors (nbody n=50,000,000, spectral-norm n=5500,
// fannkuch-redux n=12) take seconds to minutes and are left to the timing runs.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { nbody } = require('../src/nbody');
const { spectralNorm } = require('../src/spectral_norm');
const { fannkuchRedux } = require('../src/fannkuch_redux');
const { binaryTrees } = require('../src/binary_trees');
const { runMain } = require('./run_main');

test('nbody: n=1000 → -0.169087605', () => {
  assert.equal(nbody(1000).toFixed(9), '-0.169087605');
});

test('nbody starts from fresh bodies every run', () => {
  assert.equal(nbody(1000), nbody(1000));
});

test('spectral-norm: n=100 → 1.274219991', () => {
  assert.equal(spectralNorm(100).toFixed(9), '1.274219991');
});

test('fannkuch-redux: n=7 → 228:16, n=10 → 73196:38, over n! permutations', () => {
  assert.deepEqual(fannkuchRedux(7), { checksum: 228, maxFlips: 16, permutations: 5040 });
  assert.deepEqual(fannkuchRedux(10), { checksum: 73196, maxFlips: 38, permutations: 3628800 });
});

test('binary-trees: n=6 → 4398, n=10 → 135854', () => {
  assert.equal(binaryTrees(6), 4398);
  assert.equal(binaryTrees(10), 135854);
});

test('kernels result lines at the verify sizes', async () => {
  const cases = [
    ['nbody', 'n=1000', '-0.169087605', 1000],
    ['spectral-norm', 'n=100', '1.274219991', 100],
    ['fannkuch-redux', 'n=7', '228:16', 5040],
    ['binary-trees', 'n=6', '4398', 4398],
  ];
  for (const [model, size, checksum, ops] of cases) {
    const { code, events } = await runMain(['kernels', model, size]);
    assert.equal(code, 0, model);
    assert.equal(events.length, 1, model);
    const [result] = events;
    assert.deepEqual(Object.keys(result), ['event', 'checksum', 'ops', 'work_ns'], model);
    assert.equal(result.event, 'result');
    assert.equal(result.checksum, checksum, model);
    assert.equal(result.ops, ops, model);
    assert.ok(Number.isInteger(result.work_ns) && result.work_ns > 0, model);
  }
});

test('kernels: unknown model and missing n are usage errors', async () => {
  assert.equal((await runMain(['kernels', 'mandelbrot', 'n=10'])).code, 2);
  assert.equal((await runMain(['kernels', 'nbody'])).code, 2);
});
