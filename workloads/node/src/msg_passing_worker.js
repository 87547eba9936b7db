// The worker_threads entry of msg-passing/message-channel: one ring task, the producer or the
// consumer, chosen by workerData.role.
//
// Owns: a ring task's hops (token in on its inbox port, the step, token out on its next port,
// or to the main thread at the last hop), the producer's credit-bounded sends and the
// consumer's fold and credits. Each posts {type: 'ready'} to the main thread once it listens,
// and ends by itself after its last message by closing its ports. Must not: time, count CPU,
// or write to stdout (stdout belongs to the main thread's protocol).
'use strict';

const { isMainThread, parentPort, workerData } = require('node:worker_threads');
const { ringStep, foldValue } = require('./msg_passing_math');

if (isMainThread) {
  throw new Error('msg_passing_worker.js is a worker_threads entry point; run main.js instead');
}

/**
 * Ring task k: hops h = k, k + P, ... < M. Its inbox gets tokens from task k − 1; task 0's
 * first token comes from the main thread on parentPort instead (a MessageChannel has only two
 * ends, and the inbox's sending end belongs to task P − 1).
 */
function ringTask({ k, tasks, hops, inbox, next }) {
  let h = k;
  const end = () => {
    // Messages already posted are delivered before the close reaches the other side.
    inbox.close();
    next.close();
  };
  const onToken = (token) => {
    const stepped = ringStep(token, k);
    if (h === hops - 1) {
      parentPort.postMessage({ type: 'token', value: stepped });
    } else {
      next.postMessage(stepped);
    }
    h += tasks;
    if (h >= hops) {
      end();
    }
  };
  if (h >= hops) {
    end(); // k >= M: no hop at all
  } else {
    inbox.on('message', onToken);
    if (k === 0) {
      parentPort.once('message', onToken);
    }
  }
  parentPort.postMessage({ type: 'ready' });
}

/** The producer: Q credits to start with, one more per value the consumer has taken. */
function producer({ messages, capacity, port }) {
  let credits = capacity;
  let next = 0;
  const sendWhileCredited = () => {
    while (credits > 0 && next < messages) {
      port.postMessage(next++);
      credits--;
    }
    if (next === messages) {
      port.close();
    }
  };
  port.on('message', () => {
    credits++; // a credit
    sendWhileCredited();
  });
  parentPort.once('message', sendWhileCredited); // the start signal
  parentPort.postMessage({ type: 'ready' });
}

/** The consumer: folds N values in arrival order, one credit back per value. */
function consumer({ messages, port }) {
  let acc = 0;
  let received = 0;
  port.on('message', (value) => {
    acc = foldValue(acc, value);
    received++;
    if (received === messages) {
      parentPort.postMessage({ type: 'acc', value: acc });
      port.close();
    } else {
      port.postMessage(1);
    }
  });
  parentPort.postMessage({ type: 'ready' });
}

const ROLES = { ring: ringTask, producer, consumer };
ROLES[workerData.role](workerData);
