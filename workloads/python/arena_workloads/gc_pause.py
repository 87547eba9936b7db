"""Workload `gc-pause`: how long does the runtime stop the program, and how often, under a steady
allocation load with a live set? (contract: ../../README.md). In CPython reference counting
frees the records that die young at once; only the generational cycle collector stops the
program, and its full collections traverse the whole live set unless it was frozen. Under this
load it does not run at all: every op allocates two tracked objects and frees two, so the gen-0
count never reaches its threshold (workloads/README.md says so beside the variants).

Owns: the records (a `__slots__` class and a list of 8 ints each), building the live set, the
paced ops on the main thread (T ticks of `rate` ops, time.sleep until each tick's deadline), the
hiccup meter thread, the gc.callbacks pause log, the final checksum pass and the three events.
The two models differ only in `gc.freeze()` right after the build. Must not: pool, reuse or
pre-allocate records or data lists, skip a late tick, tune the collector (thresholds, gc.disable)
beyond the model's freeze, or time the final checksum pass.
"""

import gc
import threading
import time

from .protocol import emit

PARAMETERS = ("records", "rate", "duration_ms")

MASK_32 = 0xFFFFFFFF
X_SEED = 2463534242
DATA_LEN = 8
YOUNG_SLOTS = 64
TICK_NS = 1_000_000
METER_SLEEP_S = 0.001


class Record:
    """Two heap objects per record: this instance and its separate `data` list."""

    __slots__ = ("key", "data")

    def __init__(self, key, data):
        self.key = key
        self.data = data


def new_record(key, seed):
    # A new list (and new int objects above the small-int cache) for every record: no reuse.
    return Record(key & MASK_32, [(seed + j) & MASK_32 for j in range(DATA_LEN)])


def xorshift32(x):
    x ^= (x << 13) & MASK_32
    x ^= x >> 17
    x ^= (x << 5) & MASK_32
    return x


def build(records):
    live = [new_record(k, k * 8) for k in range(records)]
    young = [None] * YOUNG_SLOTS
    return live, young


def final_pass(live, acc):
    for k, record in enumerate(live):
        acc = (acc * 31 + record.data[k % DATA_LEN]) & MASK_32
    return acc


class HiccupMeter:
    """jHiccup's idea: a thread that only sleeps 1 ms and records how late it woke up.

    In CPython the overshoot includes waiting for the GIL after the sleep (the main thread holds
    it for up to the 5 ms switch interval), which the contract counts as a stall like any other.
    """

    def __init__(self):
        self.overshoots_ns = []
        self._stop = False
        # A daemon thread, so that an exception on the main thread cannot hang the exit on it.
        self._thread = threading.Thread(target=self._measure, name="hiccup-meter", daemon=True)

    def _measure(self):
        overshoots = self.overshoots_ns
        # The check comes after the sample, so there is at least one sample however short the run.
        while True:
            before_ns = time.perf_counter_ns()
            time.sleep(METER_SLEEP_S)
            elapsed_ns = time.perf_counter_ns() - before_ns
            overshoots.append(max(0, elapsed_ns - TICK_NS))
            if self._stop:
                return

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop = True  # a plain attribute: rebinding it is atomic under the GIL
        self._thread.join()


class CollectorLog:
    """The pauses CPython reports: gc.callbacks brackets every collection with start/stop."""

    def __init__(self):
        self.pauses_ns = []
        self._started_ns = 0

    def __call__(self, phase, info):  # `info` (generation, collected, ...) is not needed
        if phase == "start":
            self._started_ns = time.perf_counter_ns()
        else:  # "stop"
            self.pauses_ns.append(time.perf_counter_ns() - self._started_ns)

    def register(self):
        gc.callbacks.append(self)

    def remove(self):
        gc.callbacks.remove(self)


def _run(records, rate, duration_ms, freeze):
    started_ns = time.perf_counter_ns()
    live, young = build(records)
    build_ns = time.perf_counter_ns() - started_ns
    if freeze:
        # Every object alive now (the live set included) moves to the permanent generation,
        # which collections never traverse; build_ns above is the same build in both models.
        gc.freeze()

    meter = HiccupMeter()
    collector_log = CollectorLog()
    meter.start()
    collector_log.register()

    x = X_SEED
    acc = 0
    i = 0
    t0 = time.perf_counter_ns()
    for tick in range(duration_ms):
        for _ in range(rate):
            x = xorshift32(x)
            record = new_record(i, x)
            slot = (x >> 8) % records
            if x & 3 == 0:
                live[slot] = record  # a quarter of the ops replace a live record
            else:
                young[i % YOUNG_SLOTS] = record  # the rest die young, 64 ops later
            old = live[slot]
            acc = (acc * 31 + old.key + old.data[i % DATA_LEN]) & MASK_32
            i += 1
        # A late tick is not skipped: when the deadline has passed the next tick starts at once.
        # The last tick also waits for its deadline, so the measured interval is T ticks long.
        ahead_ns = t0 + (tick + 1) * TICK_NS - time.perf_counter_ns()
        if ahead_ns > 0:
            time.sleep(ahead_ns / 1e9)
    work_ns = time.perf_counter_ns() - t0

    meter.stop()
    collector_log.remove()
    checksum = final_pass(live, acc)

    emit("hiccups", interval_ns=TICK_NS, ns=meter.overshoots_ns)
    emit("gc_pauses", source="gc.callbacks", ns=collector_log.pauses_ns)
    emit(
        "result",
        checksum=str(checksum),
        ops=rate * duration_ms,
        records=records,
        build_ns=build_ns,
        work_ns=work_ns,
    )


def run_default(records, rate, duration_ms):
    _run(records, rate, duration_ms, freeze=False)


def run_freeze(records, rate, duration_ms):
    _run(records, rate, duration_ms, freeze=True)


MODELS = {
    "default": run_default,
    "freeze": run_freeze,
}
