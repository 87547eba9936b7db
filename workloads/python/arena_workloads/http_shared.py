"""What every Python server workload shares on the wire (contract: ../../README.md, "Server
workloads: common rules").

Owns: where servers listen (127.0.0.1, listen backlog), splitting a request target into path and
query, reading integer query parameters (missing or malformed → 400), and rendering complete
HTTP/1.1 responses (status line, Content-Length, body) so that every server model writes the
same bytes. Must not: do I/O, wait, count requests, cache responses, or know which paths a
workload serves.
"""

import json
import re

LISTEN_HOST = "127.0.0.1"  # never 0.0.0.0: the benchmark must not be reachable from outside
# The contract asks for >= 1024; Linux caps it at net.core.somaxconn (4096 by default).
LISTEN_BACKLOG = 4096

STATS_PATH = "/stats"

# The contract's integers are 0 <= N < 2^31, as a 32-bit parser in the other languages reads
# them; anything larger is not a valid parameter (and can neither overflow a sleep nor make
# int() parse thousands of digits).
MAX_QUERY_INT = 2**31 - 1
_MAX_QUERY_INT_DIGITS = len(str(MAX_QUERY_INT))
# ASCII digits only: int() alone would also accept "+7", " 7", "7_0" and non-ASCII digits.
_DECIMAL = re.compile(r"[0-9]+")

_JSON = "application/json"
_TEXT = "text/plain"
_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    501: "Not Implemented",
}


class BadRequest(ValueError):
    """The request is answered with 400: a query parameter is missing or not an integer."""


def split_target(target):
    """Split a request target: "/io?id=7&delay_ms=1" → ("/io", {"id": "7", "delay_ms": "1"}).

    No percent-decoding: every parameter of the contract is a plain decimal integer, so an
    encoded value is not one and gets a 400 from query_int. A repeated name keeps its last value.
    """
    path, _, query_string = target.partition("?")
    query = {}
    if query_string:
        for pair in query_string.split("&"):
            name, _, value = pair.partition("=")
            query[name] = value
    return path, query


def query_int(query, name):
    """The query parameter `name` as an int in 0 ..= MAX_QUERY_INT; BadRequest otherwise."""
    value = query.get(name)
    if (
        value is None
        or len(value) > _MAX_QUERY_INT_DIGITS
        or not _DECIMAL.fullmatch(value)
        or int(value) > MAX_QUERY_INT
    ):
        raise BadRequest("query parameter {!r} is missing or not an integer".format(name))
    return int(value)


def render_response(status, content_type, body):
    """A complete HTTP/1.1 response: status line, Content-Length (never chunked) and body bytes.

    Keep-alive is HTTP/1.1's default, so no Connection header is sent.
    """
    head = "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n".format(
        status, _REASONS[status], content_type, len(body)
    )
    return head.encode("ascii") + body


def json_response(body):
    return render_response(200, _JSON, body)


def text_response(body):
    return render_response(200, _TEXT, body)


def stats_response(requests, **runtime_counters):
    """`{"requests":R}` followed by the optional integer runtime counters, in the order given."""
    fields = {"requests": requests}
    fields.update(runtime_counters)
    return json_response(json.dumps(fields, separators=(",", ":")).encode("ascii"))


def not_found():
    return render_response(404, _TEXT, b"not found")


def bad_request():
    return render_response(400, _TEXT, b"bad request")


def not_implemented():
    return render_response(501, _TEXT, b"only GET is served")
