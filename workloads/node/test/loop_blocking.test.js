// loop-blocking's /cpu query rule and the worker pool's answers.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { BadRequest } = require('../src/http_server');
const { cpuQuery } = require('../src/loop_blocking');
const { partial } = require('../src/chunk_hash');
const { PartialPool } = require('../src/partial_pool');

test('cpuQuery reads items and chunk as unsigned 32-bit integers', () => {
  assert.deepEqual(cpuQuery(new URLSearchParams('items=1000&chunk=3')), { items: 1000, chunk: 3 });
  assert.throws(() => cpuQuery(new URLSearchParams('items=1000')), BadRequest);
  assert.throws(() => cpuQuery(new URLSearchParams('items=4294967296&chunk=0')), BadRequest);
});

test('PartialPool answers every job with the kernel partial, more jobs than workers', async () => {
  const pool = await PartialPool.start(2);
  try {
    const jobs = [0, 1, 2, 3, 4, 5].map((chunk) => pool.compute(chunk, 1000));
    assert.deepEqual(pool.stats(), { workers: 2, busy_workers: 2, queued: 4 });
    const values = await Promise.all(jobs);
    assert.deepEqual(values, [0, 1, 2, 3, 4, 5].map((chunk) => partial(chunk, 1000)));
    assert.deepEqual(pool.stats(), { workers: 2, busy_workers: 0, queued: 0 });
  } finally {
    await pool.close();
  }
});
