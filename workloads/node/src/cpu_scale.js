// Workload cpu-scale: C chunks of the kernel processed by W workers, partials summed in
// chunk order (see ../../README.md, "Workload cpu-scale").
//
// Owns: the two node models — `main` (W async tasks sharing the one event-loop thread) and
// `workers` (W worker_threads fed one chunk index at a time) — and the result event.
// Must not: change the kernel, combine partials out of chunk order, or leave the timed
// region before the last partial is summed.
'use strict';

const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { emit, nanosSince } = require('./protocol');
const { partial } = require('./chunk_hash');

const PARAMETERS = ['workers', 'chunks', 'items'];

const WORKER_ENTRY = path.join(__dirname, 'cpu_worker.js');

/** Sum the partials in chunk order as an exact integer (BigInt, so no 2^53 limit). */
function sumInChunkOrder(partials) {
  let sum = 0n;
  for (const value of partials) {
    sum += BigInt(value);
  }
  return sum;
}

function emitResult({ checksum, chunks, items, workers, workNs }) {
  emit('result', {
    checksum: checksum.toString(),
    ops: chunks * items,
    workers,
    work_ns: workNs,
  });
}

/**
 * Model `main`: W async tasks on the main thread pull chunk indices from a shared counter and
 * yield to the event loop (setImmediate) after every chunk. Concurrency without parallelism.
 */
async function runOnMainThread({ workers, chunks, items }) {
  const startNs = process.hrtime.bigint();

  const partials = new Array(chunks);
  let nextChunk = 0;

  async function eventLoopTask() {
    while (nextChunk < chunks) {
      const chunkIndex = nextChunk++;
      partials[chunkIndex] = partial(chunkIndex, items);
      await new Promise(setImmediate);
    }
  }

  const tasks = [];
  for (let w = 0; w < workers; w++) {
    tasks.push(eventLoopTask());
  }
  await Promise.all(tasks);
  const checksum = sumInChunkOrder(partials);
  const workNs = nanosSince(startNs);

  emitResult({ checksum, chunks, items, workers, workNs });
}

/**
 * Model `workers`: W worker_threads. The main thread hands out one chunk index at a time to
 * an idle worker and stores each partial under its chunk index; when every partial is in, it
 * sums them in chunk order and terminates the workers.
 */
async function runOnWorkerThreads({ workers, chunks, items }) {
  const startNs = process.hrtime.bigint();

  const partials = new Array(chunks);
  const pool = [];
  let nextChunk = 0;
  let received = 0;

  const allPartialsIn = new Promise((resolve, reject) => {
    function handOutNextChunk(worker) {
      if (nextChunk < chunks) {
        worker.postMessage(nextChunk++);
      }
      // Otherwise the worker stays idle until it is terminated.
    }

    for (let w = 0; w < workers; w++) {
      const worker = new Worker(WORKER_ENTRY, { workerData: { items } });
      worker.on('message', ({ chunkIndex, partial: value }) => {
        partials[chunkIndex] = value;
        received++;
        if (received === chunks) {
          resolve();
        } else {
          handOutNextChunk(worker);
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (received < chunks) {
          reject(new Error(`worker ${w} exited with code ${code} before all chunks were done`));
        }
      });
      pool.push(worker);
      handOutNextChunk(worker);
    }
  });

  const terminateAll = () => Promise.all(pool.map((worker) => worker.terminate()));
  try {
    await allPartialsIn;
  } catch (error) {
    await terminateAll();
    throw error;
  }
  const checksum = sumInChunkOrder(partials);
  const workNs = nanosSince(startNs);

  // Outside the timed region: the contract's work_ns ends when the last partial is summed.
  await terminateAll();
  emitResult({ checksum, chunks, items, workers, workNs });
}

const MODELS = {
  main: runOnMainThread,
  workers: runOnWorkerThreads,
};

module.exports = { PARAMETERS, MODELS };
