"""Workload `http-io`: what does a server model cost per idle connection, and where does it
saturate when requests wait on I/O? (contract: ../../README.md)

Owns: the workload's routes and bodies (/json, /io, shared by both models so they write the same
bytes) and the two Python models, `threads` (http.server.ThreadingHTTPServer: a thread per
connection, time.sleep holds it) and `asyncio` (the asyncio_http server, asyncio.sleep).
Must not: cache /io responses (each body is computed from its request's id), wait by any other
means than the model's own sleep, time out idle connections, or print anything but the ready
event.
"""

import asyncio
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import asyncio_http
from .cpu_scale import MASK_32
from .http_shared import (
    LISTEN_BACKLOG,
    LISTEN_HOST,
    STATS_PATH,
    BadRequest,
    bad_request,
    json_response,
    not_found,
    query_int,
    split_target,
    stats_response,
)
from .protocol import emit

PARAMETERS = ("port",)

HELLO_BODY = b'{"message":"Hello, World!"}'
KNUTH_MULTIPLIER = 2654435761  # multiplicative hashing: the contract's H = N * this mod 2^32


def io_body(request_id):
    """`{"id":N,"hash":H}` with H = (N × 2654435761) mod 2^32, as bytes."""
    request_hash = (request_id * KNUTH_MULTIPLIER) & MASK_32
    return '{{"id":{},"hash":{}}}'.format(request_id, request_hash).encode("ascii")


def route(path, query):
    """(seconds to wait before writing, response bytes) for every path but /stats.

    Both bodies are pure functions of the request, so they are computed here, once per request;
    the model then waits with its own sleep and writes. Raises BadRequest.
    """
    if path == "/json":
        return 0, json_response(HELLO_BODY)
    if path == "/io":
        request_id = query_int(query, "id")
        delay_ms = query_int(query, "delay_ms")
        return delay_ms / 1000, json_response(io_body(request_id))
    return 0, not_found()


# --- threads -----------------------------------------------------------------------------


class _RequestCounter:
    """Completed requests, incremented from every connection thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._count = 0

    def increment(self):
        with self._lock:
            self._count += 1

    @property
    def value(self):
        with self._lock:
            return self._count


class _ThreadPerConnectionServer(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a burst of new connections (the contract has
    # clients open 10,000) would overflow it while the accept loop is starting threads.
    request_queue_size = LISTEN_BACKLOG
    # Already ThreadingHTTPServer's default; stated because it matters: daemon threads are not
    # tracked for joining, and SIGTERM ends the process without waiting for them.
    daemon_threads = True

    def __init__(self, port):
        super().__init__((LISTEN_HOST, port), _HttpIoHandler)
        self.requests = _RequestCounter()

    def handle_error(self, request, client_address):
        # A client resetting its connection (load generators do when they stop) is not our
        # error, and the asyncio model ignores it too; anything else keeps the library's
        # traceback on stderr.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _HttpIoHandler(BaseHTTPRequestHandler):
    """Runs on the connection's own thread for as long as the client keeps it open."""

    # http.server speaks HTTP/1.0 (a connection per request) unless told otherwise.
    protocol_version = "HTTP/1.1"
    # Like asyncio's transports, which set TCP_NODELAY on every TCP connection.
    disable_nagle_algorithm = True
    # `timeout` stays None: an idle keep-alive connection is never closed by the server.

    def do_GET(self):
        path, query = split_target(self.path)
        if path == STATS_PATH:
            response = stats_response(
                self.server.requests.value, threads=threading.active_count()
            )
        else:
            try:
                delay_seconds, response = route(path, query)
            except BadRequest:
                delay_seconds, response = 0, bad_request()
            if delay_seconds:
                time.sleep(delay_seconds)  # blocks this connection's thread, as a DB driver would
            self.server.requests.increment()  # counted as completed before it is written
        # The same bytes as the asyncio model: our own status line and headers, one write.
        self.wfile.write(response)

    def log_message(self, format, *args):
        # The default logs every request to stderr: per-request work (and a pipe that could
        # fill) that the other models do not have.
        pass


def run_threads(port):
    server = _ThreadPerConnectionServer(port)  # bound and listening once constructed
    emit("ready", port=server.server_address[1])
    server.serve_forever()


# --- asyncio -----------------------------------------------------------------------------


async def _respond_asyncio(path, query):
    delay_seconds, response = route(path, query)
    if delay_seconds:
        await asyncio.sleep(delay_seconds)  # a timer on the loop: the coroutine parks
    return response


def run_asyncio(port):
    asyncio_http.serve(port, _respond_asyncio)


MODELS = {
    "threads": run_threads,
    "asyncio": run_asyncio,
}
