"""Tests of the Python runtime-cost workloads (contract: ../../README.md, `startup`,
`first-response`, `kernels`, `jit-warmup`).

Owns: every kernel's checksum against the contract's small test vectors (in process), and one
end-to-end check per workload that starts `python -m arena_workloads` from workloads/python, as
the harness does: the startup result line for every model's flags, the modules the startup
path imports, the jit-warmup event sequence, and the first-response server's three endpoints.
Run: python3 -m unittest discover -s workloads/python/tests
Must not: run the contract's large vectors (minutes in CPython: they are checked by hand, see
the report of the change), leave a server running, or time anything.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import unittest

# No __pycache__ in the source tree from this test run (the runner may not set
# PYTHONDONTWRITEBYTECODE): the startup workload is measured importing these modules, and a
# cache left behind by the tests would change what it measures. The subprocesses get
# PYTHONDONTWRITEBYTECODE (_ENV) for the same reason.
sys.dont_write_bytecode = True

_PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _PYTHON_DIR not in sys.path:
    sys.path.insert(0, _PYTHON_DIR)

from arena_workloads import (  # noqa: E402
    binary_trees,
    fannkuch_redux,
    nbody,
    spectral_norm,
)

# As the harness launches the interpreter: no .pyc files written into the source tree.
_ENV = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")


def _run_workload(*args, interpreter_flags=()):
    """Run `python [flags] -m arena_workloads args...` to completion; its parsed stdout lines."""
    completed = subprocess.run(
        [sys.executable, *interpreter_flags, "-m", "arena_workloads", *args],
        cwd=_PYTHON_DIR,
        env=_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    return [json.loads(line) for line in completed.stdout.decode().splitlines()]


class KernelVectorsTest(unittest.TestCase):
    """The contract's vectors small enough for a unit test; the kernels' own functions."""

    def test_nbody(self):
        self.assertEqual(nbody.format_checksum(nbody.run(1000)), "-0.169087605")

    def test_nbody_starts_from_fresh_bodies(self):
        first = nbody.new_bodies()
        first[1][nbody.X] = 0.0
        self.assertNotEqual(nbody.new_bodies()[1][nbody.X], 0.0)

    def test_spectral_norm(self):
        self.assertEqual(spectral_norm.format_checksum(spectral_norm.run(100)), "1.274219991")

    def test_fannkuch_redux(self):
        value, permutations = fannkuch_redux.run(7)
        self.assertEqual(fannkuch_redux.format_checksum(value), "228:16")
        self.assertEqual(permutations, 5040)

    def test_binary_trees(self):
        self.assertEqual(binary_trees.run(6), 4398)
        self.assertEqual(binary_trees.run(10), 135854)

    def test_binary_trees_leaves_are_separate_allocations(self):
        # A literal (None, None) would be one folded constant shared by every leaf.
        self.assertIsNot(binary_trees.bottom_up(0), binary_trees.bottom_up(0))
        left, right = binary_trees.bottom_up(1)
        self.assertIsNot(left, right)


class KernelsWorkloadTest(unittest.TestCase):
    """The result line of each model, through the dispatcher at the contract's verify sizes."""

    def test_result_lines(self):
        vectors = [
            ("nbody", 1000, "-0.169087605", 1000),
            ("spectral-norm", 100, "1.274219991", 100),
            ("fannkuch-redux", 7, "228:16", 5040),
            ("binary-trees", 6, "4398", 4398),
        ]
        for model, n, checksum, ops in vectors:
            with self.subTest(model=model):
                (result,) = _run_workload("kernels", model, "n={}".format(n))
                self.assertEqual(set(result), {"event", "checksum", "ops", "work_ns"})
                self.assertEqual(result["event"], "result")
                self.assertEqual(result["checksum"], checksum)
                self.assertEqual(result["ops"], ops)
                self.assertIsInstance(result["work_ns"], int)
                self.assertGreater(result["work_ns"], 0)


def _run_dispatcher_in(interpreter_flags, argv, epilogue=""):
    """Run the dispatcher as `-m` would, from a `-c` program that first puts workloads/python on
    sys.path (how the harness runs the -I model, which ignores the working directory), then
    runs `epilogue`. Returns (stdout lines, stderr text)."""
    program = (
        "import runpy, sys\n"
        "sys.path.insert(0, {!r})\n"
        "sys.argv = ['arena_workloads'] + {!r}\n"
        "runpy.run_module('arena_workloads', run_name='__main__', alter_sys=True)\n"
        "{}"
    ).format(_PYTHON_DIR, list(argv), epilogue)
    completed = subprocess.run(
        # -B: under -I the interpreter ignores PYTHONDONTWRITEBYTECODE.
        [sys.executable, "-B", *interpreter_flags, "-c", program],
        cwd=os.path.dirname(_PYTHON_DIR),  # not workloads/python: the path above must suffice
        env=_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    return completed.stdout.decode().splitlines(), completed.stderr.decode()


class StartupTest(unittest.TestCase):
    RESULT = {"event": "result", "checksum": "7", "ops": 1}

    def test_result_line_default_and_no_site(self):
        # Each model's flags as the runner sets them: none, and -S.
        for model, flags in (("default", ()), ("no-site", ("-S",))):
            with self.subTest(model=model):
                self.assertEqual(
                    _run_workload("startup", model, "seed=7", interpreter_flags=flags),
                    [self.RESULT],
                )

    def test_result_line_isolated(self):
        lines, _ = _run_dispatcher_in(("-I",), ["startup", "isolated", "seed=7"])
        self.assertEqual([json.loads(line) for line in lines], [self.RESULT])

    def test_startup_path_imports_only_the_dispatcher_and_protocol(self):
        _, stderr = _run_dispatcher_in(
            ("-S",),
            ["startup", "default", "seed=7"],
            epilogue="import json; sys.stderr.write(json.dumps(sorted(sys.modules)))\n",
        )
        modules = set(json.loads(stderr))
        ours = {name for name in modules if name.startswith("arena_workloads")}
        # The dispatcher itself runs as `__main__`, not under its package name.
        self.assertEqual(
            ours, {"arena_workloads", "arena_workloads.protocol", "arena_workloads.startup"}
        )
        for heavy in ("asyncio", "concurrent.futures", "multiprocessing", "http.server"):
            self.assertNotIn(heavy, modules)


class JitWarmupTest(unittest.TestCase):
    def test_event_sequence(self):
        self._check("default-nbody", "1000", "-0.169087605")

    def test_every_benchmark_checks_out(self):
        # The contract's vectors (README.md, "Workload `kernels`").
        self._check("default-spectral-norm", "100", "1.274219991")
        self._check("default-fannkuch-redux", "7", "228:16")

    def _check(self, model, n, checksum):
        events = _run_workload("jit-warmup", model, "iterations=3", "n=" + n)
        self.assertEqual(len(events), 4)
        iters, result = events[:3], events[3]
        for i, event in enumerate(iters):
            self.assertEqual(set(event), {"event", "i", "ns"})
            self.assertEqual((event["event"], event["i"]), ("iter", i))
            self.assertIsInstance(event["ns"], int)
            self.assertGreater(event["ns"], 0)
        self.assertEqual(set(result), {"event", "checksum", "ops", "total_ns"})
        self.assertEqual(result["event"], "result")
        self.assertEqual(result["checksum"], checksum)
        self.assertEqual(result["ops"], 3)
        self.assertEqual(result["total_ns"], sum(event["ns"] for event in iters))


def _free_port():
    # The harness chooses a free port itself and passes it (never 0) for first-response.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FirstResponseTest(unittest.TestCase):
    def test_endpoints(self):
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "arena_workloads",
                "first-response",
                "default",
                "port={}".format(port),
            ],
            cwd=_PYTHON_DIR,
            env=_ENV,
            stdout=subprocess.PIPE,
            start_new_session=True,  # its own process group, killed whole by the cleanup
        )
        self.addCleanup(self._stop, server)
        self.assertEqual(json.loads(server.stdout.readline()), {"event": "ready", "port": port})

        # One keep-alive connection for every request: http.client reuses it.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.addCleanup(connection.close)
        expectations = [
            ("/ping", 200, b"pong"),
            ("/nope", 404, None),
            ("/ping", 200, b"pong"),
            ("/stats", 200, b'{"requests":3}'),
        ]
        for target, status, body in expectations:
            with self.subTest(target=target):
                connection.request("GET", target)
                response = connection.getresponse()
                received = response.read()
                self.assertEqual(response.status, status)
                self.assertEqual(response.version, 11)
                self.assertEqual(response.getheader("Content-Length"), str(len(received)))
                self.assertIsNone(response.getheader("Transfer-Encoding"))
                if body is not None:
                    self.assertEqual(received, body)

    @staticmethod
    def _stop(server):
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        server.stdout.close()

    def test_module_does_not_import_asyncio(self):
        # Its start-up is what the workload measures: only http.server's own imports.
        completed = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; import arena_workloads.first_response; "
                "print(sorted(m for m in sys.modules if m.split('.')[0] in "
                "('asyncio', 'concurrent', 'multiprocessing')))",
            ],
            cwd=_PYTHON_DIR,
            env=_ENV,
            stdout=subprocess.PIPE,
            timeout=60,
            check=True,
        )
        self.assertEqual(completed.stdout.strip(), b"[]")


if __name__ == "__main__":
    unittest.main()
