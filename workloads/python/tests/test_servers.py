"""Tests of the Python server workloads (contract: ../../README.md, http-io and loop-blocking).

Owns: the pure pieces (request-target and parameter parsing, response rendering, the /io hash
body, routing) and one end-to-end check per model that starts `python -m arena_workloads` (from
workloads/python, as the harness does) with port=0 and compares every endpoint's bytes.
Run: python3 -m unittest discover -s workloads/python/tests
Must not: leave a server running (each one is killed with its process group), or load-test.
"""

import asyncio
import contextlib
import http.client
import io
import json
import os
import signal
import subprocess
import sys
import unittest

# No __pycache__ in the source tree from the tests (see test_runtime_cost: the startup workload
# is measured importing these modules without one).
sys.dont_write_bytecode = True

_PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _PYTHON_DIR not in sys.path:
    sys.path.insert(0, _PYTHON_DIR)

from arena_workloads import http_io, loop_blocking  # noqa: E402
from arena_workloads.http_shared import (  # noqa: E402
    BadRequest,
    query_int,
    render_response,
    split_target,
    stats_response,
)
from arena_workloads.protocol import parse_params  # noqa: E402

HELLO = b'{"message":"Hello, World!"}'


def _body(response):
    """The body of a rendered response, after checking its Content-Length matches."""
    head, _, body = response.partition(b"\r\n\r\n")
    lengths = [
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    ]
    assert lengths == [len(body)], (head, body)
    return body


def _status(response):
    return int(response.split(b" ", 2)[1])


class RequestParsingTest(unittest.TestCase):
    def test_split_target(self):
        self.assertEqual(
            split_target("/io?id=7&delay_ms=10"), ("/io", {"id": "7", "delay_ms": "10"})
        )
        self.assertEqual(split_target("/json"), ("/json", {}))
        self.assertEqual(split_target("/json?"), ("/json", {}))
        self.assertEqual(split_target("/io?id&x=1"), ("/io", {"id": "", "x": "1"}))
        self.assertEqual(split_target("/io?id=1&id=2"), ("/io", {"id": "2"}))

    def test_query_int_accepts_decimal_in_range(self):
        self.assertEqual(query_int({"id": "0"}, "id"), 0)
        self.assertEqual(query_int({"id": "007"}, "id"), 7)
        self.assertEqual(query_int({"id": "2147483647"}, "id"), 2**31 - 1)

    def test_query_int_rejects_missing_and_malformed(self):
        malformed = ("", "x", "-1", "+7", " 7", "7_0", "1.5", "%37", "\u0667", "2147483648")
        for value in malformed + ("9" * 5000,):
            with self.subTest(value=value), self.assertRaises(BadRequest):
                query_int({"id": value}, "id")
        with self.assertRaises(BadRequest):
            query_int({}, "id")


class ResponseRenderingTest(unittest.TestCase):
    def test_render_response_has_content_length_and_exact_body(self):
        response = render_response(200, "text/plain", b"pong")
        self.assertTrue(response.startswith(b"HTTP/1.1 200 OK\r\n"))
        self.assertEqual(_body(response), b"pong")
        self.assertNotIn(b"chunked", response.lower())

    def test_stats_body_starts_with_requests(self):
        self.assertEqual(_body(stats_response(3)), b'{"requests":3}')
        self.assertEqual(_body(stats_response(3, threads=5)), b'{"requests":3,"threads":5}')


class HttpIoRoutingTest(unittest.TestCase):
    def test_io_body(self):
        self.assertEqual(http_io.io_body(7), b'{"id":7,"hash":1401181143}')
        self.assertEqual(http_io.io_body(0), b'{"id":0,"hash":0}')
        self.assertEqual(
            http_io.io_body(2**31 - 1),
            '{{"id":2147483647,"hash":{}}}'.format((2**31 - 1) * 2654435761 % 2**32).encode(),
        )

    def test_routes(self):
        delay, response = http_io.route("/json", {})
        self.assertEqual((delay, _status(response), _body(response)), (0, 200, HELLO))

        delay, response = http_io.route(*split_target("/io?id=7&delay_ms=10"))
        self.assertEqual(delay, 0.01)
        self.assertEqual(_body(response), b'{"id":7,"hash":1401181143}')

        delay, response = http_io.route(*split_target("/io?id=7&delay_ms=0"))
        self.assertEqual(delay, 0)

        self.assertEqual(_status(http_io.route("/nope", {})[1]), 404)
        for target in ("/io?id=x&delay_ms=1", "/io?id=1", "/io?delay_ms=1"):
            with self.subTest(target=target), self.assertRaises(BadRequest):
                http_io.route(*split_target(target))


class LoopBlockingRoutingTest(unittest.TestCase):
    def setUp(self):
        async def compute_here(chunk, items):
            return loop_blocking.chunk_partial(chunk, items)

        self.respond = loop_blocking._make_respond(compute_here)

    def _run(self, target):
        return asyncio.run(self.respond(*split_target(target)))

    def test_routes(self):
        self.assertEqual(_body(self._run("/ping")), b"pong")
        self.assertEqual(_body(self._run("/cpu?items=1000&chunk=3")), b"3978560205")
        self.assertEqual(_status(self._run("/nope")), 404)
        for target in ("/cpu?items=1000", "/cpu?items=x&chunk=3", "/cpu?chunk=3"):
            with self.subTest(target=target), self.assertRaises(BadRequest):
                self._run(target)


class ParametersTest(unittest.TestCase):
    def test_port_may_be_zero_other_keys_may_not(self):
        self.assertEqual(parse_params(["port=0"], ("port",)), {"port": 0})
        self.assertEqual(
            parse_params(["port=0", "workers=2"], ("port", "workers")), {"port": 0, "workers": 2}
        )
        for raw in (["port=0", "workers=0"], ["port=65536", "workers=1"]):
            with self.subTest(raw=raw), self.assertRaises(SystemExit), contextlib.redirect_stderr(
                io.StringIO()
            ):
                parse_params(raw, ("port", "workers"))


class EndToEndTest(unittest.TestCase):
    """Start each model with port=0 and compare the bytes of every endpoint."""

    def _start(self, *args):
        server = subprocess.Popen(
            [sys.executable, "-m", "arena_workloads", *args],
            cwd=_PYTHON_DIR,  # `-m` finds the package on the current directory, as in the harness
            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),  # as the harness launches it
            stdout=subprocess.PIPE,
            start_new_session=True,  # its own process group: pool workers die with it
        )
        self.addCleanup(self._stop, server)
        ready = json.loads(server.stdout.readline())
        self.assertEqual(set(ready), {"event", "port"})
        self.assertEqual(ready["event"], "ready")
        self.assertGreater(ready["port"], 0)
        return http.client.HTTPConnection("127.0.0.1", ready["port"], timeout=10)

    @staticmethod
    def _stop(server):
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        server.stdout.close()

    def _check(self, connection, expectations):
        # One keep-alive connection for every request: http.client reuses it.
        for target, status, body in expectations:
            with self.subTest(target=target):
                connection.request("GET", target)
                response = connection.getresponse()
                self.assertEqual(response.status, status)
                self.assertIsNotNone(response.getheader("Content-Length"))
                self.assertIsNone(response.getheader("Transfer-Encoding"))
                received = response.read()
                if body is not None:
                    self.assertEqual(received, body)
        connection.request("GET", "/stats")
        stats = json.loads(connection.getresponse().read())
        self.assertEqual(stats["requests"], len(expectations))

    def _check_http_io(self, model):
        self._check(
            self._start("http-io", model, "port=0"),
            [
                ("/json", 200, HELLO),
                ("/io?id=7&delay_ms=10", 200, b'{"id":7,"hash":1401181143}'),
                ("/io?id=2147483647&delay_ms=0", 200, b'{"id":2147483647,"hash":3788015183}'),
                ("/nope", 404, None),
                ("/io?id=x&delay_ms=1", 400, None),
            ],
        )

    def _check_loop_blocking(self, model, *params):
        self._check(
            self._start("loop-blocking", model, "port=0", *params),
            [
                ("/ping", 200, b"pong"),
                ("/cpu?items=1000&chunk=3", 200, b"3978560205"),
                ("/nope", 404, None),
                ("/cpu?items=1000", 400, None),
            ],
        )

    def test_http_io_threads(self):
        self._check_http_io("threads")

    def test_http_io_asyncio(self):
        self._check_http_io("asyncio")

    def test_loop_blocking_inline(self):
        self._check_loop_blocking("inline")

    def test_loop_blocking_processes(self):
        self._check_loop_blocking("processes", "workers=2")


if __name__ == "__main__":
    unittest.main()
