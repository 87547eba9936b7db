// The worker_threads entry of loop-blocking/workers: one /cpu request in, one partial out.
//
// Owns: answering each { chunk, items } sent by the main thread with partial(chunk, items).
// Must not: queue, pick work itself, touch HTTP, or write to stdout (stdout belongs to the main
// thread's protocol).
'use strict';

const { isMainThread, parentPort } = require('node:worker_threads');
const { partial } = require('./chunk_hash');

if (isMainThread) {
  throw new Error('partial_worker.js is a worker_threads entry point; run main.js instead');
}

parentPort.on('message', ({ chunk, items }) => {
  parentPort.postMessage(partial(chunk, items));
});
