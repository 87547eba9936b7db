// parseParams: the command-line rules of the contract (positive integers; port alone may be 0).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { UsageError, parseParams } = require('../src/protocol');

test('port may be 0, every other key must be at least 1', () => {
  const params = parseParams(['port=0', 'workers=2'], ['port', 'workers']);
  assert.deepEqual(params, { port: 0, workers: 2 });
  assert.deepEqual(parseParams(['port=8080'], ['port']), { port: 8080 });
  assert.throws(() => parseParams(['port=0', 'workers=0'], ['port', 'workers']), UsageError);
});

test('values are plain decimal digits', () => {
  for (const bad of ['port=-1', 'port=+1', 'port=1.0', 'port= 1', 'port=', 'port=0x10']) {
    assert.throws(() => parseParams([bad], ['port']), UsageError, bad);
  }
});

test('unknown, missing and repeated keys are usage errors', () => {
  assert.throws(() => parseParams(['port=0', 'workers=2'], ['port']), UsageError);
  assert.throws(() => parseParams([], ['port']), UsageError);
  assert.throws(() => parseParams(['port=0', 'port=1'], ['port']), UsageError);
});
