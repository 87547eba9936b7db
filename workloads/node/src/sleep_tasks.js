// Workload sleep-tasks: N tasks each wait H ms on their own timer (see ../../README.md,
// "Workload sleep-tasks").
//
// Owns: the node model `promises` — one async function per task awaiting its own setTimeout
// promise, ready signalled by a promise the N-th live task resolves — and the ready and
// result events. Must not: poll, share one timer between tasks, or await any task before
// all N have been spawned.
'use strict';

const { UsageError, emit, nanosSince } = require('./protocol');

const PARAMETERS = ['tasks', 'hold_ms'];

// setTimeout silently turns a longer delay into 1 ms (with a TimeoutOverflowWarning).
const MAX_TIMER_MS = 2 ** 31 - 1;

async function runPromises({ tasks, hold_ms: holdMs }) {
  if (holdMs > MAX_TIMER_MS) {
    throw new UsageError(`hold_ms=${holdMs} exceeds setTimeout's maximum of ${MAX_TIMER_MS} ms`);
  }

  let alive = 0;
  let done = 0;

  let signalAllAlive;
  const allAlive = new Promise((resolve) => {
    signalAllAlive = resolve;
  });

  async function sleepTask(i) {
    alive++;
    if (alive === tasks) {
      signalAllAlive();
    }
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    done++;
    return i;
  }

  const startNs = process.hrtime.bigint();
  const pending = [];
  for (let i = 0; i < tasks; i++) {
    pending.push(sleepTask(i)); // spawned, not awaited
  }

  await allAlive;
  const spawnNs = nanosSince(startNs);
  emit('ready', { alive, done, spawn_ns: spawnNs });

  const values = await Promise.all(pending);
  let checksum = 0n;
  for (const value of values) {
    checksum += BigInt(value);
  }
  const totalNs = nanosSince(startNs);

  emit('result', {
    checksum: checksum.toString(),
    ops: tasks,
    done,
    total_ns: totalNs,
    spawn_ns: spawnNs,
  });
}

const MODELS = {
  promises: runPromises,
};

module.exports = { PARAMETERS, MODELS };
