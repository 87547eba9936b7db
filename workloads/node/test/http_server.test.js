// The request-target and query-integer rules shared by the server workloads.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { BadRequest, queryInteger, splitTarget } = require('../src/http_server');

test('splitTarget separates path and query string', () => {
  assert.deepEqual(splitTarget('/json'), ['/json', '']);
  assert.deepEqual(splitTarget('/io?id=7&delay_ms=10'), ['/io', 'id=7&delay_ms=10']);
  assert.deepEqual(splitTarget('/ping?'), ['/ping', '']);
});

test('queryInteger accepts decimal digits from 0 to max', () => {
  const query = new URLSearchParams('a=0&b=007&c=2147483647');
  assert.equal(queryInteger(query, 'a', 10), 0);
  assert.equal(queryInteger(query, 'b', 10), 7);
  assert.equal(queryInteger(query, 'c', 2 ** 31 - 1), 2 ** 31 - 1);
});

test('queryInteger rejects missing, non-integer and out-of-range values', () => {
  const query = new URLSearchParams(
    'neg=-1&frac=1.5&exp=1e3&word=x&empty=&big=11&huge=99999999999999999999',
  );
  for (const name of ['missing', 'neg', 'frac', 'exp', 'word', 'empty', 'big', 'huge']) {
    assert.throws(() => queryInteger(query, name, 10), BadRequest, name);
  }
});
