"""Workload `first-response`: how long until a minimal server answers its first request, and
what does it hold then? (contract: ../../README.md, "Server workloads: common rules"). The
harness polls GET /ping from spawn; the ready event is informational.

Owns: the usual stack, http.server.ThreadingHTTPServer (a thread per connection) speaking
HTTP/1.1, with /ping, /stats and 404, and counting requests. Must not: import the other
workloads' servers (asyncio in particular: its import is start-up cost this workload measures),
prepare anything before listening that a first request does not need, time out idle
connections, or print anything but the ready event.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .http_shared import (
    LISTEN_BACKLOG,
    LISTEN_HOST,
    STATS_PATH,
    not_found,
    split_target,
    stats_response,
    text_response,
)
from .protocol import emit

PARAMETERS = ("port",)

PING_PATH = "/ping"
PONG_BODY = b"pong"


class _FirstResponseServer(ThreadingHTTPServer):
    # The library's defaults, except where the server rules require otherwise: socketserver
    # listens with a backlog of 5, and the rules ask for at least 1024.
    request_queue_size = LISTEN_BACKLOG
    # ThreadingHTTPServer's default already; daemon threads never delay exit on SIGTERM.
    daemon_threads = True

    def __init__(self, port):
        super().__init__((LISTEN_HOST, port), _FirstResponseHandler)
        self.requests_lock = threading.Lock()
        self.requests = 0  # requests to every path but /stats, completed so far


class _FirstResponseHandler(BaseHTTPRequestHandler):
    """Runs on the connection's own thread for as long as the client keeps it open."""

    # http.server speaks HTTP/1.0 (a connection per request) unless told otherwise.
    protocol_version = "HTTP/1.1"
    # `timeout` stays None: an idle keep-alive connection is never closed by the server.

    def do_GET(self):
        server = self.server
        path, _ = split_target(self.path)
        if path == STATS_PATH:
            with server.requests_lock:
                response = stats_response(server.requests)
        else:
            response = text_response(PONG_BODY) if path == PING_PATH else not_found()
            with server.requests_lock:
                server.requests += 1  # counted as completed before it is written
        # Status line, Content-Length and body in one write (http_shared renders them), as the
        # other Python servers do: send_response/end_headers and a separate body write would
        # be two small segments, which Nagle's algorithm can hold back behind a delayed ACK.
        self.wfile.write(response)

    def log_message(self, format, *args):
        # The default logs every request to stderr: per-request work the other languages'
        # servers do not do.
        pass


def run(port):
    server = _FirstResponseServer(port)  # bound and listening once constructed
    emit("ready", port=server.server_address[1])
    server.serve_forever()


# The models are runtime configurations (`-S`, `-I`) set by the runner: the same code for all.
MODELS = {
    "default": run,
    "no-site": run,
    "isolated": run,
}
