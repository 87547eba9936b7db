// The contract's kernel test vectors: cpu-scale checksums and loop-blocking's /cpu example.
// Must not weaken a vector.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { partial } = require('../src/chunk_hash');

const CHECKSUM_VECTORS = [
  { chunks: 1, items: 1, checksum: 84694791n },
  { chunks: 4, items: 1000, checksum: 14385195142n },
  { chunks: 16, items: 1000, checksum: 47801991433n },
  { chunks: 16, items: 100000, checksum: 25229320511n },
];

test('cpu-scale checksums match the contract vectors', () => {
  for (const { chunks, items, checksum } of CHECKSUM_VECTORS) {
    let sum = 0n;
    for (let c = 0; c < chunks; c++) {
      sum += BigInt(partial(c, items));
    }
    assert.equal(sum, checksum, `chunks=${chunks} items=${items}`);
  }
});

test('loop-blocking /cpu example: partial(3, 1000) = 3978560205', () => {
  assert.equal(partial(3, 1000), 3978560205);
});
