"""Workload `loop-blocking`: does one CPU-heavy request stall every other request?
(contract: ../../README.md)

Owns: the workload's routes (/ping, /cpu, shared by both models) and the two Python models on
the asyncio_http server: `inline` (the cpu-scale kernel runs in the request coroutine and blocks
the event loop, on purpose) and `processes` (the kernel runs in a ProcessPoolExecutor of
`workers` forked processes, started and warmed before ready). Must not: use any kernel but
cpu_scale.chunk_partial, cache results, or block the loop in `processes`.
"""

import asyncio
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from . import asyncio_http
from .cpu_scale import chunk_partial
from .http_shared import not_found, query_int, text_response

PARAMETERS = ("port",)
# Only the model with a pool takes its size.
MODEL_PARAMETERS = {
    "inline": ("port",),
    "processes": ("port", "workers"),
}

# Long enough that every worker is still busy when the last warm-up job is handed out, so each
# job lands on a different process.
_WARM_UP_HOLD_SECONDS = 0.1


def _make_respond(compute_partial):
    """The routes, given how the model computes `partial(chunk, items)` (a coroutine function)."""

    async def respond(path, query):
        if path == "/ping":
            return text_response(b"pong")
        if path == "/cpu":
            items = query_int(query, "items")
            chunk = query_int(query, "chunk")
            partial = await compute_partial(chunk, items)
            return text_response(str(partial).encode("ascii"))
        return not_found()

    return respond


# --- inline ------------------------------------------------------------------------------


async def _compute_on_loop(chunk, items):
    return chunk_partial(chunk, items)  # no await inside: the whole event loop waits for it


def run_inline(port):
    asyncio_http.serve(port, _make_respond(_compute_on_loop))


# --- processes ---------------------------------------------------------------------------


def _hold_worker(seconds):
    time.sleep(seconds)


def _start_warm_pool(workers):
    """A fork-context pool whose `workers` processes all exist and have each run a job.

    Called before the event loop and the listening socket exist, so the forked children inherit
    neither (and no client connection). On Linux the pool forks all its processes at the first
    submit; one held job per worker also waits until each of them is actually running.
    """
    fork = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=fork)
    warm_ups = [pool.submit(_hold_worker, _WARM_UP_HOLD_SECONDS) for _ in range(workers)]
    for warm_up in warm_ups:
        warm_up.result()
    return pool


def run_processes(port, workers):
    pool = _start_warm_pool(workers)

    async def compute_in_pool(chunk, items):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, chunk_partial, chunk, items)

    # The pool is never shut down: the server runs until SIGTERM, and the harness ends the
    # whole process group (pool workers included).
    asyncio_http.serve(port, _make_respond(compute_in_pool))


MODELS = {
    "inline": run_inline,
    "processes": run_processes,
}
