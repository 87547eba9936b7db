"""Workload `cpu-scale`: does a second worker make CPU-bound work faster? (contract: ../../README.md)

Owns: the pure-Python kernel and the two Python models, `threads` (ThreadPoolExecutor, limited
by the GIL) and `processes` (ProcessPoolExecutor with the fork start method). Must not: speed up
the kernel with anything but the interpreter (no hashlib, numpy, C helpers, caching), reorder
the reduction (partials are summed in chunk order), or print anything but protocol events.
"""

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from itertools import repeat

from .protocol import emit

PARAMETERS = ("workers", "chunks", "items")

FNV_OFFSET_BASIS = 2166136261
FNV_PRIME = 16777619
MASK_32 = 0xFFFFFFFF


def chunk_partial(chunk_index, items):
    """The contract's kernel: FNV-1a style mix with an xorshift, all on unsigned 32-bit values."""
    h = FNV_OFFSET_BASIS
    base = (chunk_index * items) & MASK_32
    for i in range(items):
        v = (base + i) & MASK_32
        h = ((h ^ v) * FNV_PRIME) & MASK_32
        h = h ^ (h >> 15)
    return h


def _run_with_pool(make_pool, workers, chunks, items):
    # work_ns includes creating the pool (for `processes`, forking the W workers) because
    # that is part of what using a second worker costs in this model; it ends as soon as the
    # last partial is summed, before the pool is shut down.
    started_ns = time.perf_counter_ns()
    with make_pool(workers) as pool:
        # map() hands out chunks in order and yields partials in chunk order.
        checksum = sum(pool.map(chunk_partial, range(chunks), repeat(items)))
        work_ns = time.perf_counter_ns() - started_ns
    emit(
        "result",
        checksum=str(checksum),
        ops=chunks * items,
        workers=workers,
        work_ns=work_ns,
    )


def run_threads(workers, chunks, items):
    _run_with_pool(lambda w: ThreadPoolExecutor(max_workers=w), workers, chunks, items)


def run_processes(workers, chunks, items):
    fork = multiprocessing.get_context("fork")
    _run_with_pool(
        lambda w: ProcessPoolExecutor(max_workers=w, mp_context=fork), workers, chunks, items
    )


MODELS = {
    "threads": run_threads,
    "processes": run_processes,
}
