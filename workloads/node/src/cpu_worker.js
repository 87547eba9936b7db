// The worker_threads entry of cpu-scale/workers: one chunk in, one partial out.
//
// Owns: answering each chunk index sent by the main thread with
// { chunkIndex, partial } for the `items` given in workerData. Must not: pick chunks itself,
// sum, time, or write to stdout (stdout belongs to the main thread's protocol).
'use strict';

const { isMainThread, parentPort, workerData } = require('node:worker_threads');
const { partial } = require('./chunk_hash');

if (isMainThread) {
  throw new Error('cpu_worker.js is a worker_threads entry point; run main.js instead');
}

const { items } = workerData;

parentPort.on('message', (chunkIndex) => {
  parentPort.postMessage({ chunkIndex, partial: partial(chunkIndex, items) });
});
