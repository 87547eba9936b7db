// gc-pause: the contract's test vectors for every model, the order and shape of the hiccups,
// gc_pauses and result events, and its usage errors.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { xorshift32, makeRecord } = require('../src/gc_pause');
const { runMain } = require('./run_main');

// Every node model of the catalogue with the runtime flags the runner adds for it.
const MODELS = [
  ['default', []],
  ['semi-space', ['--max-semi-space-size=64']],
];

const isCount = (n) => Number.isInteger(n) && n >= 0;

async function runGcPause(model, nodeFlags, [records, rate, durationMs]) {
  const { code, events, stdoutLines, stderr } = await runMain(
    ['gc-pause', model, `records=${records}`, `rate=${rate}`, `duration_ms=${durationMs}`],
    { nodeFlags },
  );
  assert.equal(code, 0, stderr);
  assert.deepEqual(events.map((e) => e.event), ['hiccups', 'gc_pauses', 'result']);
  const [hiccups, pauses, result] = events;

  assert.deepEqual(Object.keys(hiccups), ['event', 'interval_ns', 'ns']);
  assert.equal(hiccups.interval_ns, 1_000_000);
  assert.ok(hiccups.ns.length >= 1, 'at least one hiccup sample');
  assert.ok(hiccups.ns.every(isCount));

  assert.deepEqual(Object.keys(pauses), ['event', 'source', 'ns']);
  assert.match(pauses.source, /PerformanceObserver/);
  assert.ok(pauses.ns.every(isCount));

  assert.deepEqual(Object.keys(result), [
    'event', 'checksum', 'ops', 'records', 'build_ns', 'work_ns',
  ]);
  assert.equal(result.ops, rate * durationMs);
  assert.equal(result.records, records);
  assert.ok(Number.isInteger(result.build_ns) && result.build_ns > 0);
  assert.ok(result.work_ns >= (durationMs - 1) * 1_000_000, `work_ns ${result.work_ns}`);
  assert.equal(stdoutLines[2], JSON.stringify(result));
  return { hiccups, pauses, result };
}

test('xorshift32 from the seed 2463534242 gives Marsaglia\'s first value', () => {
  assert.equal(xorshift32(2463534242), 723471715);
});

test('a record is {key, data} with data[j] = (seed + j) mod 2^32', () => {
  const rec = makeRecord(5, 2 ** 32 - 2);
  assert.deepEqual(Object.keys(rec), ['key', 'data']);
  assert.equal(rec.key, 5);
  assert.deepEqual(rec.data, [4294967294, 4294967295, 0, 1, 2, 3, 4, 5]);
});

for (const [model, nodeFlags] of MODELS) {
  test(`gc-pause ${model}: the test vectors, events in order`, async () => {
    const verify = await runGcPause(model, nodeFlags, [1000, 10, 50]);
    assert.equal(verify.result.checksum, '348783320');
    const small = await runGcPause(model, nodeFlags, [10, 3, 7]);
    assert.equal(small.result.checksum, '704356060');
  });
}

test('gc-pause: V8 reports the scavenges of a 50,000-op load', async () => {
  // ~150 bytes per op, several MB in all: more than the initial young generation holds.
  const { pauses } = await runGcPause('default', [], [1000, 1000, 50]);
  assert.ok(pauses.ns.length >= 1, 'at least one gc entry');
  assert.ok(pauses.ns.some((ns) => ns > 0));
});

test('gc-pause: unknown model, missing and zero parameters are usage errors', async () => {
  const sizes = ['rate=1', 'duration_ms=1'];
  assert.equal((await runMain(['gc-pause', 'zgc', 'records=1', ...sizes])).code, 2);
  assert.equal((await runMain(['gc-pause', 'default', 'records=1', 'rate=1'])).code, 2);
  assert.equal((await runMain(['gc-pause', 'default', 'records=0', ...sizes])).code, 2);
});
