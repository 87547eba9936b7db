// Workload msg-passing: a ring of P tasks passes one token M hops, then a producer/consumer
// pair passes N values through a queue of capacity Q (see ../../README.md, "Workload
// msg-passing").
//
// Owns: the two node models — `promise` (async functions on the one event loop, every inbox a
// bounded async channel defined here) and `message-channel` (worker_threads joined by
// MessageChannel ports, msg_passing_worker.js) — the phases' clocks and CPU reads, and the
// result event. Must not: run a phase's clock while its tasks are still being created, let
// more than Q values be in flight, or leave a worker running after the result.
'use strict';

const path = require('node:path');
const { MessageChannel, Worker } = require('node:worker_threads');
const { UsageError, emit, nanosSince } = require('./protocol');
const { RING_SEED, ringStep, foldValue } = require('./msg_passing_math');

const PARAMETERS = ['tasks', 'hops', 'messages', 'capacity'];

const WORKER_ENTRY = path.join(__dirname, 'msg_passing_worker.js');

/** The process's user + system CPU (every thread), in ns. */
function cpuNs() {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

function checkTasks(tasks) {
  if (tasks < 2) {
    throw new UsageError(`parameter tasks=${tasks} must be at least 2 (a ring of P >= 2 tasks)`);
  }
}

function emitResult({ token, acc, hops, messages, tasks, capacity, ring, pair }) {
  emit('result', {
    checksum: `${token}:${acc}`,
    ops: hops + messages,
    tasks,
    capacity,
    ring_ns: ring.ns,
    pair_ns: pair.ns,
    ring_cpu_ns: ring.cpuNs,
    pair_cpu_ns: pair.cpuNs,
  });
}

/**
 * A bounded async channel on one event loop: a FIFO of values, a FIFO of receivers waiting
 * for a value and a FIFO of senders waiting for room. `send` awaits while `capacity` values
 * are queued; a value sent while a receiver waits goes straight to it (the queue is then
 * empty). Every hand-off is the resolution of a promise.
 */
class Channel {
  constructor(capacity) {
    this.capacity = capacity;
    this.values = [];
    this.receivers = [];
    this.senders = [];
  }

  async send(value) {
    while (this.receivers.length === 0 && this.values.length >= this.capacity) {
      await new Promise((resolve) => this.senders.push(resolve));
    }
    if (this.receivers.length > 0) {
      this.receivers.shift()(value);
    } else {
      this.values.push(value);
    }
  }

  // Not `async`: returning a promise from an async function would cost two more microtask
  // turns per receive than the hand-off itself.
  recv() {
    if (this.values.length > 0) {
      const value = this.values.shift();
      if (this.senders.length > 0) {
        this.senders.shift()(); // room for one more: wake the oldest waiting sender
      }
      return Promise.resolve(value);
    }
    return new Promise((resolve) => this.receivers.push(resolve));
  }
}

/** Model `promise`, phase 1: P async functions, each awaiting its own channel. */
async function promiseRing({ tasks, hops, capacity }) {
  const inboxes = Array.from({ length: tasks }, () => new Channel(capacity));
  const mainInbox = new Channel(capacity);

  async function ringTask(k) {
    for (let h = k; h < hops; h += tasks) {
      const token = ringStep(await inboxes[k].recv(), k);
      await (h === hops - 1 ? mainInbox : inboxes[(k + 1) % tasks]).send(token);
    }
  }

  // Each task runs up to its first recv() and waits there before the clock starts.
  const running = inboxes.map((_, k) => ringTask(k));

  const cpuStartNs = cpuNs();
  const startNs = process.hrtime.bigint();
  await inboxes[0].send(RING_SEED);
  const token = await mainInbox.recv();
  const ns = nanosSince(startNs);
  await Promise.all(running);
  return { token, ns, cpuNs: cpuNs() - cpuStartNs };
}

/** Model `promise`, phase 2: a producer and a consumer async function on one channel. */
async function promisePair({ messages, capacity }) {
  const queue = new Channel(capacity);
  let signalStart;
  const started = new Promise((resolve) => {
    signalStart = resolve;
  });

  async function producer() {
    await started;
    for (let v = 0; v < messages; v++) {
      await queue.send(v);
    }
  }

  async function consumer() {
    let acc = 0;
    for (let n = 0; n < messages; n++) {
      acc = foldValue(acc, await queue.recv());
    }
    return acc;
  }

  const producing = producer();
  const consuming = consumer();

  const cpuStartNs = cpuNs();
  const startNs = process.hrtime.bigint();
  signalStart();
  const acc = await consuming;
  const ns = nanosSince(startNs);
  await producing;
  return { acc, ns, cpuNs: cpuNs() - cpuStartNs };
}

async function runPromise({ tasks, hops, messages, capacity }) {
  checkTasks(tasks);
  const ring = await promiseRing({ tasks, hops, capacity });
  const pair = await promisePair({ messages, capacity });
  emitResult({ token: ring.token, acc: pair.acc, hops, messages, tasks, capacity, ring, pair });
}

/**
 * Start one worker of msg_passing_worker.js. `ready` resolves once it listens on its ports;
 * `message` resolves with its first message after that (the final token, the consumer's acc);
 * `exited` resolves when it has ended by itself with code 0. Any error rejects them.
 */
function startWorker(workerData, transferList) {
  const worker = new Worker(WORKER_ENTRY, { workerData, transferList });
  let onReady;
  let onMessage;
  let fail;
  const failed = new Promise((_, reject) => {
    fail = reject;
  });
  const ready = new Promise((resolve) => {
    onReady = resolve;
  });
  const message = new Promise((resolve) => {
    onMessage = resolve;
  });
  const exited = new Promise((resolve) => {
    worker.on('exit', (code) => {
      if (code === 0) {
        resolve();
      } else {
        fail(new Error(`msg-passing ${workerData.role} worker exited with code ${code}`));
      }
    });
  });
  worker.on('error', (error) => fail(error));
  worker.on('message', (event) => {
    if (event.type === 'ready') {
      onReady();
    } else {
      onMessage(event.value);
    }
  });
  const orFail = (promise) => Promise.race([promise, failed]);
  failed.catch(() => {}); // observed through orFail
  return {
    worker,
    ready: orFail(ready),
    message: orFail(message),
    exited: orFail(exited),
  };
}

/**
 * Run `phase`; if it fails, terminate every worker first, since a worker still waiting on its
 * inbox port would keep the process alive after the failure.
 */
async function terminatedOnFailure(workers, phase) {
  try {
    return await phase();
  } catch (error) {
    await Promise.all(workers.map((w) => w.worker.terminate()));
    throw error;
  }
}

/**
 * Model `message-channel`, phase 1: P workers; MessageChannel k joins worker k−1 (port2, its
 * `next`) to worker k (port1, its inbox). Every port is moved to its worker by transferList.
 * The main thread posts the first token to worker 0 through worker 0's own parentPort and
 * gets the final token back the same way from the worker that does the last hop.
 */
async function messageChannelRing({ tasks, hops }) {
  const channels = Array.from({ length: tasks }, () => new MessageChannel());
  const workers = channels.map((channel, k) => {
    const inbox = channel.port1;
    const next = channels[(k + 1) % tasks].port2;
    return startWorker({ role: 'ring', k, tasks, hops, inbox, next }, [inbox, next]);
  });
  return terminatedOnFailure(workers, async () => {
    await Promise.all(workers.map((w) => w.ready));

    const cpuStartNs = cpuNs();
    const startNs = process.hrtime.bigint();
    workers[0].worker.postMessage(RING_SEED);
    const token = await workers[(hops - 1) % tasks].message; // the last hop's task
    const ns = nanosSince(startNs);
    await Promise.all(workers.map((w) => w.exited));
    return { token, ns, cpuNs: cpuNs() - cpuStartNs };
  });
}

/**
 * Model `message-channel`, phase 2: a producer worker and a consumer worker on one
 * MessageChannel; the consumer posts one credit back per value, so that the producer, which
 * starts with Q credits, never has more than Q values in flight.
 */
async function messageChannelPair({ messages, capacity }) {
  const { port1, port2 } = new MessageChannel();
  const producer = startWorker({ role: 'producer', messages, capacity, port: port1 }, [port1]);
  const consumer = startWorker({ role: 'consumer', messages, port: port2 }, [port2]);
  return terminatedOnFailure([producer, consumer], async () => {
    await Promise.all([producer.ready, consumer.ready]);

    const cpuStartNs = cpuNs();
    const startNs = process.hrtime.bigint();
    producer.worker.postMessage('start');
    const acc = await consumer.message;
    const ns = nanosSince(startNs);
    await Promise.all([producer.exited, consumer.exited]);
    return { acc, ns, cpuNs: cpuNs() - cpuStartNs };
  });
}

async function runMessageChannel({ tasks, hops, messages, capacity }) {
  checkTasks(tasks);
  const ring = await messageChannelRing({ tasks, hops });
  const pair = await messageChannelPair({ messages, capacity });
  emitResult({ token: ring.token, acc: pair.acc, hops, messages, tasks, capacity, ring, pair });
}

const MODELS = {
  promise: runPromise,
  'message-channel': runMessageChannel,
};

module.exports = { PARAMETERS, MODELS, Channel };
