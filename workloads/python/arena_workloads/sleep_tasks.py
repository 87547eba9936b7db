"""Workload `sleep-tasks`: what does one more concurrent waiting task cost? (contract: ../../README.md)

Owns: the two Python models, `asyncio` (one task per item on the event loop, asyncio.sleep,
ready via asyncio.Event) and `threads` (one OS thread per item with the default stack size,
time.sleep, ready via threading.Condition). Must not: sleep or wait inside the spawn loop, poll
for readiness, share one timer between tasks, or print anything but protocol events.
"""

import asyncio
import os
import threading
import time

from .protocol import EXIT_RESOURCE_LIMIT, emit

PARAMETERS = ("tasks", "hold_ms")


def _emit_ready(alive, done, spawn_ns):
    emit("ready", alive=alive, done=done, spawn_ns=spawn_ns)


def _emit_result(checksum, task_count, done, total_ns, spawn_ns):
    emit(
        "result",
        checksum=str(checksum),
        ops=task_count,
        done=done,
        total_ns=total_ns,
        spawn_ns=spawn_ns,
    )


# --- asyncio -----------------------------------------------------------------------------


async def _asyncio_main(task_count, hold_ms):
    hold_seconds = hold_ms / 1000
    alive = 0
    done = 0
    all_alive = asyncio.Event()

    # Everything runs on the one event-loop thread, so plain counters are safe.
    async def hold(i):
        nonlocal alive, done
        alive += 1
        if alive == task_count:
            all_alive.set()
        await asyncio.sleep(hold_seconds)
        done += 1
        return i

    # t0 is taken inside the running loop: starting the event loop is not part of spawning.
    t0 = time.perf_counter_ns()
    tasks = [asyncio.create_task(hold(i)) for i in range(task_count)]
    await all_alive.wait()
    spawn_ns = time.perf_counter_ns() - t0
    _emit_ready(alive, done, spawn_ns)

    checksum = sum(await asyncio.gather(*tasks))
    total_ns = time.perf_counter_ns() - t0
    _emit_result(checksum, task_count, done, total_ns, spawn_ns)


def run_asyncio(tasks, hold_ms):
    asyncio.run(_asyncio_main(tasks, hold_ms))


# --- threads -----------------------------------------------------------------------------


def run_threads(tasks, hold_ms):
    task_count = tasks
    hold_seconds = hold_ms / 1000
    counters = {"alive": 0, "done": 0}
    counters_changed = threading.Condition()
    yielded = [0] * task_count  # slot i is written only by thread i

    def hold(i):
        with counters_changed:
            counters["alive"] += 1
            if counters["alive"] == task_count:
                counters_changed.notify_all()
        time.sleep(hold_seconds)
        with counters_changed:
            counters["done"] += 1
        yielded[i] = i

    t0 = time.perf_counter_ns()
    threads = []
    for i in range(task_count):
        thread = threading.Thread(target=hold, args=(i,))  # default stack size
        try:
            thread.start()
        except RuntimeError as error:  # "can't start new thread": an OS limit was hit
            emit(
                "error",
                kind="resource_limit",
                alive=len(threads),
                message=str(error),
            )  # emit() flushes stdout, which os._exit would not
            os._exit(EXIT_RESOURCE_LIMIT)  # at once, without waiting for started threads
        threads.append(thread)

    with counters_changed:
        counters_changed.wait_for(lambda: counters["alive"] == task_count)
        alive, done = counters["alive"], counters["done"]
    spawn_ns = time.perf_counter_ns() - t0
    _emit_ready(alive, done, spawn_ns)

    for thread in threads:
        thread.join()
    checksum = sum(yielded)
    total_ns = time.perf_counter_ns() - t0
    with counters_changed:
        done = counters["done"]
    _emit_result(checksum, task_count, done, total_ns, spawn_ns)


MODELS = {
    "asyncio": run_asyncio,
    "threads": run_threads,
}
