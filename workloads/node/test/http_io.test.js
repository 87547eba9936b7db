// The exact http-io bodies.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { HELLO_BODY, ioBody, ioHash } = require('../src/http_io');

test('/json body is the 27-byte constant', () => {
  assert.equal(HELLO_BODY, '{"message":"Hello, World!"}');
  assert.equal(Buffer.byteLength(HELLO_BODY), 27);
});

test('/io hash is (id * 2654435761) mod 2^32', () => {
  assert.equal(ioBody(7), '{"id":7,"hash":1401181143}');
  assert.equal(ioBody(0), '{"id":0,"hash":0}');
  const maxId = 2 ** 31 - 1;
  assert.equal(BigInt(ioHash(maxId)), (BigInt(maxId) * 2654435761n) % 2n ** 32n);
});
