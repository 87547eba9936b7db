"""Workload `msg-passing`: what does handing one value from one task to another cost?
(contract: ../../README.md)

Owns: the ring (P tasks passing one token M hops) and the queue phase (a producer and a
consumer, N values), their clocks and CPU reads, and the three Python models: `asyncio-queue`
(asyncio tasks, asyncio.Queue(maxsize=Q)), `threads-queue` (threading.Thread,
queue.Queue(maxsize=Q)) and `mp-queue` (processes of the "fork" context,
multiprocessing.Queue(maxsize=Q)). Must not: hand values over by any other primitive than the
model's queue, batch values, start a task inside a timed region, or leave a child process
behind on any exit path.
"""

import asyncio
import ctypes
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time

from .protocol import emit, usage_error

PARAMETERS = ("tasks", "hops", "messages", "capacity")

MASK_32 = 0xFFFFFFFF
RING_SEED = 2166136261
FNV_PRIME = 16777619
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def ring_step(token, k):
    return ((token ^ (k + 1)) * FNV_PRIME) & MASK_32


def fold(acc, value):
    return (acc * 31 + value) & MASK_32


def process_cpu_ns():
    """User + system CPU of this process's threads and of the children it has waited for."""
    total_ns = 0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        # The kernel reports microseconds (a timeval); the float is rounded back to them.
        total_ns += round(usage.ru_utime * 1_000_000) * 1000
        total_ns += round(usage.ru_stime * 1_000_000) * 1000
    return total_ns


def _emit_result(token, acc, hops, messages, tasks, capacity, times):
    ring_ns, pair_ns, ring_cpu_ns, pair_cpu_ns = times
    emit(
        "result",
        checksum="{}:{}".format(token, acc),
        ops=hops + messages,
        tasks=tasks,
        capacity=capacity,  # every Python queue has a capacity: Q, never a rendezvous
        ring_ns=ring_ns,
        pair_ns=pair_ns,
        ring_cpu_ns=ring_cpu_ns,
        pair_cpu_ns=pair_cpu_ns,
    )


# --- the tasks of the blocking models (threads and processes run the same functions) ---------


def ring_task(k, tasks, hops, inbox, next_inbox, reply):
    """Task k does hops k, k + P, k + 2P, ... < M: ceil((M - k) / P) of them, 0 when k >= M."""
    last_hop = hops - 1
    for hop in range(k, hops, tasks):
        token = ring_step(inbox.get(), k)
        (reply if hop == last_hop else next_inbox).put(token)


def produce(start, values, messages):
    start.wait()
    for value in range(messages):
        values.put(value)


def consume(values, messages, reply):
    acc = 0
    for _ in range(messages):
        acc = fold(acc, values.get())
    reply.put(acc)


# --- asyncio-queue ---------------------------------------------------------------------------


async def _ring_task_async(k, tasks, hops, inbox, next_inbox, reply):
    last_hop = hops - 1
    for hop in range(k, hops, tasks):
        token = ring_step(await inbox.get(), k)
        await (reply if hop == last_hop else next_inbox).put(token)


async def _produce_async(start, values, messages):
    await start.wait()
    for value in range(messages):
        await values.put(value)


async def _consume_async(values, messages):
    acc = 0
    for _ in range(messages):
        acc = fold(acc, await values.get())
    return acc


async def _asyncio_main(tasks, hops, messages, capacity):
    inboxes = [asyncio.Queue(maxsize=capacity) for _ in range(tasks)]
    reply = asyncio.Queue()  # carries the one final token back to the main task
    ring = [
        asyncio.create_task(
            _ring_task_async(k, tasks, hops, inboxes[k], inboxes[(k + 1) % tasks], reply)
        )
        for k in range(tasks)
    ]
    # A created task has not run yet: one pass of the loop takes every task to its first await,
    # so that they all wait on their inboxes (or, for k >= M, have ended) before the clock.
    await asyncio.sleep(0)
    cpu_before = process_cpu_ns()
    t0 = time.perf_counter_ns()
    await inboxes[0].put(RING_SEED)
    token = await reply.get()
    ring_ns = time.perf_counter_ns() - t0
    await asyncio.gather(*ring)
    ring_cpu_ns = process_cpu_ns() - cpu_before

    values = asyncio.Queue(maxsize=capacity)
    start = asyncio.Event()
    producer = asyncio.create_task(_produce_async(start, values, messages))
    consumer = asyncio.create_task(_consume_async(values, messages))
    await asyncio.sleep(0)  # the producer waits on `start`, the consumer on the queue
    cpu_before = process_cpu_ns()
    t0 = time.perf_counter_ns()
    start.set()
    acc = await consumer
    pair_ns = time.perf_counter_ns() - t0
    await producer
    pair_cpu_ns = process_cpu_ns() - cpu_before

    _emit_result(
        token, acc, hops, messages, tasks, capacity, (ring_ns, pair_ns, ring_cpu_ns, pair_cpu_ns)
    )


def run_asyncio_queue(tasks, hops, messages, capacity):
    asyncio.run(_asyncio_main(tasks, hops, messages, capacity))


# --- threads-queue and mp-queue: the same phases, two kinds of task --------------------------


class _Threads:
    """threading.Thread tasks and queue.Queue: the GIL and a condition variable per hand-off."""

    @staticmethod
    def queue(maxsize=0):
        return queue.Queue(maxsize=maxsize)

    @staticmethod
    def event():
        return threading.Event()

    @staticmethod
    def spawn(target, *args):
        # Daemon threads: an exception on the main thread must not hang the exit on a task
        # blocked on its queue. Every thread is joined on the normal path.
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()  # returns once the thread runs; it then blocks on its queue or event
        return thread

    def all_waiting(self, count):
        pass

    def close(self, queues):
        pass

    def stop_all(self):
        pass


def _die_with_parent(parent_pid):
    """Ask Linux to SIGKILL this child when its parent dies, even by SIGKILL."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: the parent's finally and atexit remain
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the request was made
        os._exit(1)


def _child_main(parent_pid, ready, target, args):
    _die_with_parent(parent_pid)
    ready.release()  # from here on the child runs straight into its first blocking call
    target(*args)


class _Processes:
    """Processes of the "fork" context and multiprocessing.Queue: a pipe, a feeder thread and
    pickling per hand-off. The processes are started before the clock and the main task waits
    until each of them has reported that it runs (fork returns well before the child reaches
    its queue: milliseconds here), so every one waits on its queue when the clock starts."""

    def __init__(self):
        self._context = multiprocessing.get_context("fork")
        self._ready = self._context.Semaphore(0)
        self._processes = []

    def queue(self, maxsize=0):
        return self._context.Queue(maxsize=maxsize)

    def event(self):
        return self._context.Event()

    def spawn(self, target, *args):
        # Daemon processes: multiprocessing's atexit handler terminates any still running when
        # the interpreter exits, e.g. after an exception; stop_all does it at once.
        process = self._context.Process(
            target=_child_main, args=(os.getpid(), self._ready, target, args), daemon=True
        )
        process.start()
        self._processes.append(process)
        return process

    def all_waiting(self, count):
        for _ in range(count):
            self._ready.acquire()

    @staticmethod
    def close(queues):
        # The main task put the ring's first token: stop that queue's feeder thread in this
        # process, so that it does not exist during the next phase (or when it forks).
        for used in queues:
            used.close()
            used.join_thread()

    def stop_all(self):
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join()


def _run_blocking(kind, tasks, hops, messages, capacity):
    inboxes = [kind.queue(capacity) for _ in range(tasks)]
    reply = kind.queue()  # carries the one final token back to the main task
    ring = [
        kind.spawn(ring_task, k, tasks, hops, inboxes[k], inboxes[(k + 1) % tasks], reply)
        for k in range(tasks)
    ]
    kind.all_waiting(tasks)
    cpu_before = process_cpu_ns()
    t0 = time.perf_counter_ns()
    inboxes[0].put(RING_SEED)
    token = reply.get()
    ring_ns = time.perf_counter_ns() - t0
    for task in ring:
        task.join()  # a process's CPU time joins RUSAGE_CHILDREN once it has been waited for
    ring_cpu_ns = process_cpu_ns() - cpu_before
    kind.close(inboxes + [reply])

    values = kind.queue(capacity)
    start = kind.event()
    reply = kind.queue()  # carries the consumer's acc: the main task knows it has finished
    producer = kind.spawn(produce, start, values, messages)
    consumer = kind.spawn(consume, values, messages, reply)
    kind.all_waiting(2)
    cpu_before = process_cpu_ns()
    t0 = time.perf_counter_ns()
    start.set()
    acc = reply.get()
    pair_ns = time.perf_counter_ns() - t0
    producer.join()
    consumer.join()
    pair_cpu_ns = process_cpu_ns() - cpu_before
    kind.close([values, reply])

    _emit_result(
        token, acc, hops, messages, tasks, capacity, (ring_ns, pair_ns, ring_cpu_ns, pair_cpu_ns)
    )


def run_threads_queue(tasks, hops, messages, capacity):
    _run_blocking(_Threads(), tasks, hops, messages, capacity)


def run_mp_queue(tasks, hops, messages, capacity):
    kind = _Processes()
    try:
        _run_blocking(kind, tasks, hops, messages, capacity)
    finally:
        kind.stop_all()  # on the normal path every process has been joined already


def _ring_of_two_or_more(run_model):
    # The contract's P >= 2 (the parser only knows "positive"): a ring of one task would hand
    # the token to itself, which is no hand-off between tasks.
    def checked(tasks, hops, messages, capacity):
        if tasks < 2:
            usage_error("parameter tasks={} must be at least 2".format(tasks))
        run_model(tasks, hops, messages, capacity)

    return checked


MODELS = {
    "asyncio-queue": _ring_of_two_or_more(run_asyncio_queue),
    "threads-queue": _ring_of_two_or_more(run_threads_queue),
    "mp-queue": _ring_of_two_or_more(run_mp_queue),
}
