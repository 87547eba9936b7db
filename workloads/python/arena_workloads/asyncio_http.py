"""The asyncio HTTP/1.1 server behind python/asyncio (http-io) and python/inline and
python/processes (loop-blocking) (contract: ../../README.md, "Server workloads: common rules").

Owns: listening (asyncio.start_server on 127.0.0.1 with a large backlog), printing the ready
event, a minimal HTTP/1.1 reader (request line, then headers up to the empty line; headers are
otherwise ignored and no request body is expected), keep-alive until the client closes,
answering /stats, counting requests, and turning BadRequest into 400. Must not: block the event
loop itself, time out idle connections, or know a workload's paths (its `respond` does).
"""

import asyncio

from .http_shared import (
    LISTEN_BACKLOG,
    LISTEN_HOST,
    STATS_PATH,
    BadRequest,
    bad_request,
    not_implemented,
    split_target,
    stats_response,
)
from .protocol import emit

_END_OF_HEAD = b"\r\n\r\n"


class _AsyncioHttpServer:
    """One connection coroutine per client; everything runs on the one event-loop thread, so the
    counters are plain ints."""

    def __init__(self, respond):
        # respond(path, query) -> awaitable response bytes; may raise BadRequest.
        self._respond = respond
        self._requests = 0
        self._connections = 0

    async def serve_connection(self, reader, writer):
        self._connections += 1
        try:
            keep_open = True
            while keep_open:
                try:
                    head = await reader.readuntil(_END_OF_HEAD)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return  # the client closed (or sent a head over the reader's 64 KiB limit)
                response, keep_open = await self._answer(head)
                writer.write(response)
                await writer.drain()
        except ConnectionError:
            pass  # the client went away while we were writing: nothing left to answer
        finally:
            self._connections -= 1
            writer.close()

    async def _answer(self, head):
        """The response to one request head, and whether the connection stays open after it."""
        request_line = head[: head.index(b"\r\n")]
        parts = request_line.split(b" ")
        if len(parts) != 3:
            # Unparseable framing: answer and close, as http.server does for the threads model.
            return bad_request(), False
        method, target, _version = parts
        if method != b"GET":
            return not_implemented(), False

        path, query = split_target(target.decode("latin-1"))
        if path == STATS_PATH:
            return stats_response(self._requests, connections=self._connections), True
        try:
            response = await self._respond(path, query)
        except BadRequest:
            response = bad_request()
        self._requests += 1  # counted as completed before the response is written
        return response, True


async def _serve(port, respond):
    http_server = _AsyncioHttpServer(respond)
    server = await asyncio.start_server(
        http_server.serve_connection, host=LISTEN_HOST, port=port, backlog=LISTEN_BACKLOG
    )
    emit("ready", port=server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()  # until SIGTERM's default action ends the process


def serve(port, respond):
    """Serve HTTP/1.1 on 127.0.0.1:port (0 = chosen by the OS) forever.

    `respond(path, query)` is a coroutine function returning the complete response bytes for
    every path but /stats; it raises BadRequest for a missing or malformed parameter.
    """
    asyncio.run(_serve(port, respond))
