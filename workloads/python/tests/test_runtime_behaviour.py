"""Tests of the Python runtime-behaviour workloads (contract: ../../README.md, `gc-pause` and
`msg-passing`).

Owns: the contract's test vectors for every model through `python -m arena_workloads` (run from
workloads/python, as the harness does), the events' order and fields, the invariants the harness
checks, the pieces in process (records, the xorshift, the pause log, the hiccup meter, how many
hops each ring task does), usage errors, and that mp-queue leaves no child process behind when
its main process fails or is killed.
Run: python3 -m unittest discover -s workloads/python/tests
Must not: run the large sizes (they are checked by hand, see the report of the change), judge
any time beyond the invariants, or leave a process running.
"""

import contextlib
import gc
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import unittest
from unittest import mock

# No __pycache__ in the source tree from the tests (see test_runtime_cost: the startup workload
# is measured importing these modules without one).
sys.dont_write_bytecode = True

_PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _PYTHON_DIR not in sys.path:
    sys.path.insert(0, _PYTHON_DIR)

from arena_workloads import gc_pause, msg_passing  # noqa: E402

_ENV = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")


def _launch(*args):
    return [sys.executable, "-m", "arena_workloads", *args]


def _run_workload(*args):
    """Run the dispatcher to completion: (exit code, parsed stdout lines, stderr text)."""
    completed = subprocess.run(
        _launch(*args),
        cwd=_PYTHON_DIR,
        env=_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )
    lines = completed.stdout.decode().splitlines()
    if completed.returncode != 0:
        return completed.returncode, lines, completed.stderr.decode()
    return 0, [json.loads(line) for line in lines], completed.stderr.decode()


def _is_ns_list(values):
    return isinstance(values, list) and all(isinstance(v, int) and v >= 0 for v in values)


# --- gc-pause ------------------------------------------------------------------------------


class GcPauseWorkloadTest(unittest.TestCase):
    VECTORS = [((1000, 10, 50), "348783320"), ((10, 3, 7), "704356060")]

    def test_vectors_and_events_of_every_model(self):
        for model in sorted(gc_pause.MODELS):
            for (records, rate, duration_ms), checksum in self.VECTORS:
                with self.subTest(model=model, records=records, rate=rate, T=duration_ms):
                    code, events, stderr = _run_workload(
                        "gc-pause",
                        model,
                        "records={}".format(records),
                        "rate={}".format(rate),
                        "duration_ms={}".format(duration_ms),
                    )
                    self.assertEqual(code, 0, stderr)
                    self.assertEqual(
                        [event["event"] for event in events], ["hiccups", "gc_pauses", "result"]
                    )
                    hiccups, pauses, result = events
                    self.assertEqual(set(hiccups), {"event", "interval_ns", "ns"})
                    self.assertEqual(hiccups["interval_ns"], 1_000_000)
                    self.assertTrue(_is_ns_list(hiccups["ns"]))
                    self.assertGreaterEqual(len(hiccups["ns"]), 1)
                    self.assertEqual(set(pauses), {"event", "source", "ns"})
                    self.assertEqual(pauses["source"], "gc.callbacks")
                    self.assertTrue(_is_ns_list(pauses["ns"]))
                    self.assertEqual(
                        set(result), {"event", "checksum", "ops", "records", "build_ns", "work_ns"}
                    )
                    self.assertEqual(result["checksum"], checksum)
                    self.assertEqual(result["ops"], rate * duration_ms)
                    self.assertEqual(result["records"], records)
                    self.assertGreater(result["build_ns"], 0)
                    self.assertGreaterEqual(result["work_ns"], (duration_ms - 1) * 1_000_000)


class GcPausePiecesTest(unittest.TestCase):
    def test_xorshift32(self):
        x = gc_pause.xorshift32(gc_pause.X_SEED)
        self.assertEqual(x, 723471715)
        self.assertLess(x, 2**32)

    def test_records_are_two_new_objects_each(self):
        first, second = gc_pause.new_record(1, 2**32 - 2), gc_pause.new_record(1, 2**32 - 2)
        self.assertIsNot(first, second)
        self.assertIsNot(first.data, second.data)
        self.assertEqual(first.data, [2**32 - 2, 2**32 - 1, 0, 1, 2, 3, 4, 5])
        self.assertFalse(hasattr(first, "__dict__"))  # __slots__ = ("key", "data")

    def test_collector_log_times_a_collection(self):
        log = gc_pause.CollectorLog()
        log.register()
        try:
            gc.collect()
        finally:
            log.remove()
        self.assertEqual(len(log.pauses_ns), 1)
        self.assertGreater(log.pauses_ns[0], 0)
        self.assertNotIn(log, gc.callbacks)

    def test_hiccup_meter_has_a_sample_when_stopped_at_once(self):
        meter = gc_pause.HiccupMeter()
        meter.start()
        meter.stop()
        self.assertGreaterEqual(len(meter.overshoots_ns), 1)

    def test_freeze_model_freezes_after_the_build(self):
        calls = []
        build = gc_pause.build

        def recording_build(records):
            calls.append("build")
            return build(records)

        with mock.patch.object(gc_pause, "build", recording_build), mock.patch.object(
            gc_pause.gc, "freeze", lambda: calls.append("freeze")
        ), contextlib.redirect_stdout(io.StringIO()):
            gc_pause.MODELS["freeze"](records=10, rate=3, duration_ms=7)
            self.assertEqual(calls, ["build", "freeze"])
            calls.clear()
            gc_pause.MODELS["default"](records=10, rate=3, duration_ms=7)
            self.assertEqual(calls, ["build"])


# --- msg-passing ---------------------------------------------------------------------------


class MsgPassingWorkloadTest(unittest.TestCase):
    VECTORS = [((3, 10, 10, 2), "2055683726:165029893"), ((2, 1, 1, 1), "67918732:0")]
    FIELDS = {
        "event",
        "checksum",
        "ops",
        "tasks",
        "capacity",
        "ring_ns",
        "pair_ns",
        "ring_cpu_ns",
        "pair_cpu_ns",
    }

    def test_vectors_and_result_of_every_model(self):
        for model in sorted(msg_passing.MODELS):
            for (tasks, hops, messages, capacity), checksum in self.VECTORS:
                with self.subTest(model=model, tasks=tasks, hops=hops):
                    code, events, stderr = _run_workload(
                        "msg-passing",
                        model,
                        "tasks={}".format(tasks),
                        "hops={}".format(hops),
                        "messages={}".format(messages),
                        "capacity={}".format(capacity),
                    )
                    self.assertEqual(code, 0, stderr)
                    (result,) = events
                    self.assertEqual(set(result), self.FIELDS)
                    self.assertEqual(result["event"], "result")
                    self.assertEqual(result["checksum"], checksum)
                    self.assertEqual(result["ops"], hops + messages)
                    self.assertEqual(result["tasks"], tasks)
                    self.assertEqual(result["capacity"], capacity)  # never a rendezvous
                    for field in ("ring_ns", "pair_ns", "ring_cpu_ns", "pair_cpu_ns"):
                        self.assertIsInstance(result[field], int)
                        self.assertGreaterEqual(result[field], 0)
                    self.assertGreater(result["ring_ns"], 0)
                    self.assertGreater(result["pair_ns"], 0)


class _FakeInbox:
    """Hands out the same token to every get and records every put."""

    def __init__(self):
        self.gets = 0
        self.puts = []

    def get(self):
        self.gets += 1
        return 7

    def put(self, value):
        self.puts.append(value)


class MsgPassingPiecesTest(unittest.TestCase):
    def test_each_ring_task_does_its_hops_and_only_the_last_goes_to_main(self):
        for tasks, hops in ((3, 10), (2, 1), (8, 5), (4, 4)):
            for k in range(tasks):
                with self.subTest(tasks=tasks, hops=hops, k=k):
                    inbox, next_inbox, reply = _FakeInbox(), _FakeInbox(), _FakeInbox()
                    msg_passing.ring_task(k, tasks, hops, inbox, next_inbox, reply)
                    expected = max(0, -(-(hops - k) // tasks))  # ceil((M - k) / P), 0 if k >= M
                    self.assertEqual(inbox.gets, expected)
                    owns_last_hop = k == (hops - 1) % tasks
                    self.assertEqual(len(reply.puts), 1 if owns_last_hop else 0)
                    self.assertEqual(len(next_inbox.puts), expected - len(reply.puts))
                    for sent in next_inbox.puts + reply.puts:
                        self.assertEqual(sent, msg_passing.ring_step(7, k))

    def test_ring_step_and_fold_stay_in_32_bits(self):
        self.assertEqual(msg_passing.ring_step(2166136261, 0), 67918732)
        self.assertLess(msg_passing.ring_step(2**32 - 1, 7), 2**32)
        self.assertEqual(msg_passing.fold(2**32 - 1, 0), (31 * (2**32 - 1)) % 2**32)

    def test_process_cpu_ns_is_monotonic(self):
        before = msg_passing.process_cpu_ns()
        sum(range(200_000))
        self.assertGreaterEqual(msg_passing.process_cpu_ns(), before)

    def test_mp_queue_stops_its_children_when_the_main_process_fails(self):
        with mock.patch.object(msg_passing, "process_cpu_ns", side_effect=RuntimeError("boom")):
            with self.assertRaises(RuntimeError):
                msg_passing.run_mp_queue(tasks=3, hops=10, messages=10, capacity=2)
        self.assertEqual(multiprocessing.active_children(), [])


def _children(pid):
    try:
        with open("/proc/{0}/task/{0}/children".format(pid)) as listing:
            return [int(child) for child in listing.read().split()]
    except OSError:
        return []


def _gone(pid):
    try:
        with open("/proc/{}/stat".format(pid)) as stat:
            state = stat.read().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # a zombie no one reaps has stopped all the same


@unittest.skipUnless(os.path.exists("/proc/self/task"), "needs Linux /proc")
class MsgPassingNoOrphansTest(unittest.TestCase):
    def test_children_die_when_the_main_process_is_killed(self):
        # A ring long enough to still run when the main process is killed with SIGKILL (no
        # handler, no atexit): only the children's parent-death signal can stop them.
        main = subprocess.Popen(
            _launch(
                "msg-passing", "mp-queue", "tasks=2", "hops=100000000", "messages=1", "capacity=1"
            ),
            cwd=_PYTHON_DIR,
            env=_ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, killed whole by the cleanup
        )
        self.addCleanup(self._kill_group, main)
        deadline = time.monotonic() + 20
        while len(_children(main.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        children = _children(main.pid)
        self.assertEqual(len(children), 2)
        os.kill(main.pid, signal.SIGKILL)
        main.wait()
        deadline = time.monotonic() + 10
        while not all(_gone(child) for child in children) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertTrue(all(_gone(child) for child in children))

    @staticmethod
    def _kill_group(process):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- usage errors --------------------------------------------------------------------------


class UsageErrorTest(unittest.TestCase):
    CASES = [
        ("gc-pause", "concurrent", "records=10", "rate=3", "duration_ms=7"),
        ("gc-pause", "default", "records=10", "rate=3"),
        ("gc-pause", "freeze", "records=10", "rate=0", "duration_ms=7"),
        ("gc-pause", "default", "records=10", "rate=3", "duration_ms=7", "young=64"),
        ("msg-passing", "unbuffered", "tasks=3", "hops=10", "messages=10", "capacity=2"),
        ("msg-passing", "threads-queue", "tasks=3", "hops=x", "messages=10", "capacity=2"),
        ("msg-passing", "asyncio-queue", "tasks=1", "hops=10", "messages=10", "capacity=2"),
        ("msg-passing", "mp-queue", "tasks=3", "hops=10", "messages=10"),
    ]

    def test_exit_code_two_and_nothing_on_stdout(self):
        for args in self.CASES:
            with self.subTest(args=args):
                code, lines, stderr = _run_workload(*args)
                self.assertEqual(code, 2)
                self.assertEqual(lines, [])
                self.assertTrue(stderr.strip())


if __name__ == "__main__":
    unittest.main()
