// A fixed pool of worker_threads computing kernel partials for loop-blocking/workers.
//
// Owns: starting the workers (every one confirmed online before start() resolves), the FIFO
// queue of jobs waiting for an idle worker, and handing each job to exactly one worker. Must
// not: compute a partial on the main thread, reorder queued jobs, know about HTTP, or survive a
// worker's death (a dead worker would strand its job, so the process fails instead).
'use strict';

const { once } = require('node:events');
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const WORKER_ENTRY = path.join(__dirname, 'partial_worker.js');

class PartialPool {
  #workers;
  // The job each worker is running, by worker index (null when idle).
  #running;
  #idle;
  // Jobs waiting for an idle worker, oldest first. Bounded by the open connections (one request
  // at a time per connection), so Array#shift is cheap enough.
  #queue = [];
  #closing = false;

  /** Start `size` workers and resolve once every one of them is online. */
  static async start(size) {
    const workers = [];
    for (let i = 0; i < size; i++) {
      workers.push(new Worker(WORKER_ENTRY));
    }
    try {
      // events.once rejects if the worker emits 'error' first, and removes its listeners.
      await Promise.all(workers.map((worker) => once(worker, 'online')));
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    }
    return new PartialPool(workers);
  }

  constructor(workers) {
    this.#workers = workers;
    this.#running = workers.map(() => null);
    this.#idle = workers.map((_worker, index) => index);
    workers.forEach((worker, index) => {
      worker.on('message', (value) => this.#finished(index, value));
      // Thrown from an event listener: an uncaught exception, so the process exits non-zero.
      worker.on('error', (error) => {
        throw error;
      });
      worker.on('exit', (code) => {
        if (!this.#closing) {
          throw new Error(`partial worker ${index} exited with code ${code}`);
        }
      });
    });
  }

  /** partial(chunk, items), computed by the next idle worker in FIFO order. */
  compute(chunk, items) {
    return new Promise((resolve) => {
      const job = { chunk, items, resolve };
      if (this.#idle.length > 0) {
        this.#dispatch(this.#idle.pop(), job);
      } else {
        this.#queue.push(job);
      }
    });
  }

  /** Counters for /stats: pool size, workers computing now, jobs waiting. */
  stats() {
    return {
      workers: this.#workers.length,
      busy_workers: this.#workers.length - this.#idle.length,
      queued: this.#queue.length,
    };
  }

  /** Terminate every worker (only when the server could not start: jobs in flight are lost). */
  async close() {
    this.#closing = true;
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }

  #dispatch(index, job) {
    this.#running[index] = job;
    this.#workers[index].postMessage({ chunk: job.chunk, items: job.items });
  }

  #finished(index, value) {
    const job = this.#running[index];
    this.#running[index] = null;
    if (this.#queue.length > 0) {
      this.#dispatch(index, this.#queue.shift());
    } else {
      this.#idle.push(index);
    }
    job.resolve(value);
  }
}

module.exports = { PartialPool };
