// Workload gc-pause: a live set of R records and a paced allocation load of `rate` ops per
// 1 ms tick for T ticks, with a 1 ms hiccup meter and V8's own GC log over the same interval
// (see ../../README.md, "Workload gc-pause").
//
// Owns: the records, the build, the ops, the pacing of the ticks on the event loop, the hiccup
// meter (a setTimeout(…, 1) loop on the same event loop), the PerformanceObserver of `gc`
// entries, and the hiccups, gc_pauses and result events. Every model (default, semi-space) is
// a node flag set by the runner, so all run this same code. Must not: pool or reuse records or
// data arrays, set a V8 flag itself, or leave a timer or the observer behind once it is done.
'use strict';

const { PerformanceObserver } = require('node:perf_hooks');
const { emit, nanosSince } = require('./protocol');

const PARAMETERS = ['records', 'rate', 'duration_ms'];

const DATA_LENGTH = 8;
const YOUNG_SLOTS = 64;
const X_SEED = 2463534242;
const NS_PER_MS = 1_000_000;
const NS_PER_MS_BIG = 1_000_000n;
const HICCUP_INTERVAL_NS = NS_PER_MS;
const PAUSE_SOURCE = "perf_hooks PerformanceObserver entryTypes ['gc']";

/** xorshift32 on an unsigned 32-bit value: `<<` wraps to 32 bits, `>>>` is the logical shift. */
function xorshift32(x) {
  x = (x ^ (x << 13)) >>> 0;
  x = (x ^ (x >>> 17)) >>> 0;
  x = (x ^ (x << 5)) >>> 0;
  return x;
}

/** A new record: the object itself and a separate, newly allocated plain array of 8 numbers. */
function makeRecord(key, seed) {
  const data = new Array(DATA_LENGTH);
  for (let j = 0; j < DATA_LENGTH; j++) {
    data[j] = (seed + j) >>> 0; // (seed + j) mod 2^32
  }
  return { key: key >>> 0, data };
}

/** The live set: live[k] = record(k, k * 8). */
function buildLiveSet(records) {
  const live = new Array(records);
  for (let k = 0; k < records; k++) {
    live[k] = makeRecord(k, Math.imul(k, DATA_LENGTH) >>> 0);
  }
  return live;
}

/**
 * The op state and one tick's worth of ops; `state.i` is the global op index. Every op
 * allocates a new record; a quarter replace a live record, the rest land in `young` and die
 * 64 ops later.
 */
function runOps(state, count) {
  const { live, young, records } = state;
  let { x, acc, i } = state;
  for (const end = i + count; i < end; i++) {
    x = xorshift32(x);
    const rec = makeRecord(i, x);
    const slot = (x >>> 8) % records;
    if ((x & 3) === 0) {
      live[slot] = rec;
    } else {
      young[i % YOUNG_SLOTS] = rec;
    }
    const old = live[slot];
    acc = (Math.imul(acc, 31) + old.key + old.data[i % DATA_LENGTH]) >>> 0;
  }
  state.x = x;
  state.acc = acc;
  state.i = i;
}

/** The final pass over the live set, outside every timed region. */
function foldLiveSet(live, acc) {
  for (let k = 0; k < live.length; k++) {
    acc = (Math.imul(acc, 31) + live[k].data[k % DATA_LENGTH]) >>> 0;
  }
  return acc;
}

/**
 * The hiccup meter: read the clock, sleep 1 ms on a timer of this same event loop (a worker
 * thread is another isolate and would not see this one's pauses), read the clock again,
 * record the overshoot; repeat until stopped. A sleep still pending at stop() is dropped.
 */
function startHiccupMeter() {
  const samples = [];
  let pending = null;
  function sleepOnce() {
    const beforeNs = process.hrtime.bigint();
    pending = setTimeout(() => {
      const elapsedNs = nanosSince(beforeNs);
      samples.push(Math.max(0, elapsedNs - HICCUP_INTERVAL_NS));
      sleepOnce();
    }, 1);
  }
  sleepOnce();
  return {
    stop() {
      clearTimeout(pending);
      return samples;
    },
  };
}

/**
 * V8's pauses as Node reports them: every `gc` performance entry (scavenges, mark-compact,
 * incremental marking steps, weak callbacks), whether it reached the observer's callback
 * during the run or is still buffered at stop() (takeRecords, then disconnect).
 */
function startPauseLog() {
  const pausesNs = [];
  const record = (entries) => {
    for (const entry of entries) {
      pausesNs.push(Math.round(entry.duration * NS_PER_MS));
    }
  };
  const observer = new PerformanceObserver((list) => record(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      record(observer.takeRecords());
      observer.disconnect();
      return pausesNs;
    },
  };
}

function runGcPause({ records, rate, duration_ms: ticks }) {
  const buildStartNs = process.hrtime.bigint();
  const state = {
    live: buildLiveSet(records),
    young: new Array(YOUNG_SLOTS).fill(null),
    records,
    x: X_SEED,
    acc: 0,
    i: 0,
  };
  const buildNs = nanosSince(buildStartNs);

  return new Promise((resolve, reject) => {
    const pauseLog = startPauseLog();
    const meter = startHiccupMeter();
    const t0 = process.hrtime.bigint();
    let tick = 0;

    function finish() {
      const workNs = nanosSince(t0);
      const hiccupsNs = meter.stop();
      const pausesNs = pauseLog.stop();
      const checksum = foldLiveSet(state.live, state.acc);
      emit('hiccups', { interval_ns: HICCUP_INTERVAL_NS, ns: hiccupsNs });
      emit('gc_pauses', { source: PAUSE_SOURCE, ns: pausesNs });
      emit('result', {
        checksum: String(checksum),
        ops: rate * ticks,
        records,
        build_ns: buildNs,
        work_ns: workNs,
      });
      resolve();
    }

    const fail = (error) => {
      meter.stop();
      pauseLog.stop();
      reject(error);
    };

    // The next tick's start, t0 + tick ms, as nanoseconds still ahead (<= 0: due or late).
    const aheadNs = () => t0 + BigInt(tick) * NS_PER_MS_BIG - process.hrtime.bigint();

    // Sleep until the next tick's start. Node's timers count whole milliseconds of the
    // loop's cached clock, so with the meter's timer on the same loop one can fire up to
    // ~1 ms before its delay has passed (measured: 3 of 422 woke early, by up to 0.8 ms): the
    // wake-up checks again and sleeps on until the start is reached, never starting early.
    // Rounding the delay up: a shorter one would become 1 ms anyway.
    function sleepUntilDue() {
      const ns = aheadNs();
      if (ns > 0n) {
        setTimeout(sleepUntilDue, Math.ceil(Number(ns) / NS_PER_MS));
      } else {
        runTick();
      }
    }

    // One tick of `rate` ops, then the next: by a timer while its start is still ahead, by
    // setImmediate when it is already due, so a late tick is caught up without sleeping
    // (but still lets the meter's timer run between ticks) and none is skipped.
    function runTick() {
      try {
        runOps(state, rate);
        tick++;
        if (tick === ticks) {
          finish();
        } else if (aheadNs() > 0n) {
          sleepUntilDue();
        } else {
          setImmediate(runTick);
        }
      } catch (error) {
        fail(error);
      }
    }

    runTick();
  });
}

const MODELS = {
  default: runGcPause,
  'semi-space': runGcPause,
};

module.exports = { PARAMETERS, MODELS, xorshift32, makeRecord, runOps, buildLiveSet, foldLiveSet };
