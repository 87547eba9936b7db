// jit-warmup's event sequence: K iter events numbered from 0, then one result.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { runMain } = require('./run_main');

async function checkSequence(model, nodeFlags, n = 1000, checksum = '-0.169087605') {
  const { code, events, stdoutLines } = await runMain(
    ['jit-warmup', model, 'iterations=5', `n=${n}`],
    { nodeFlags },
  );
  assert.equal(code, 0);
  assert.equal(events.length, 6);
  const iters = events.slice(0, 5);
  iters.forEach((event, i) => {
    assert.deepEqual(Object.keys(event), ['event', 'i', 'ns']);
    assert.equal(event.event, 'iter');
    assert.equal(event.i, i);
    assert.ok(Number.isInteger(event.ns) && event.ns > 0);
  });
  const result = events[5];
  assert.deepEqual(result, {
    event: 'result',
    checksum,
    ops: 5,
    total_ns: iters.reduce((sum, event) => sum + event.ns, 0),
  });
  assert.equal(stdoutLines[5], JSON.stringify(result));
}

test('jit-warmup default: iter 0..4, then the result with the sum of their times', async () => {
  await checkSequence('default-nbody', []);
});

test('jit-warmup runs spectral-norm and fannkuch-redux to the contract vectors', async () => {
  await checkSequence('default-spectral-norm', [], 100, '1.274219991');
  await checkSequence('default-fannkuch-redux', [], 7, '228:16');
});

test('jit-warmup jitless and no-opt run the same code under their flags', async () => {
  await checkSequence('jitless-nbody', ['--jitless']);
  await checkSequence('no-opt-fannkuch-redux', ['--no-opt'], 7, '228:16');
});
