"""Workload `jit-warmup`: how does one process's iteration time change with the iteration
number? (contract: ../../README.md). For CPython 3.11 it is an interpreter control: there is
no JIT; its specialising interpreter (PEP 659) rewrites hot bytecode after a few executions,
well within iteration 0.

Owns: running the nbody kernel `iterations` times from fresh bodies, timing each iteration
alone, and printing an iter event after each (outside the timed region) and the result. Must
not: carry anything from one iteration to the next (bodies, pairs, energies), warm up before
iteration 0, or time the printing.
"""

import time

from . import nbody
from .protocol import emit

PARAMETERS = ("iterations", "n")


def run(iterations, n):
    total_ns = 0
    energy = None
    for i in range(iterations):
        started_ns = time.perf_counter_ns()
        energy = nbody.run(n)  # new bodies, offset momentum, n steps, energy
        elapsed_ns = time.perf_counter_ns() - started_ns
        emit("iter", i=i, ns=elapsed_ns)
        total_ns += elapsed_ns
    emit(
        "result",
        checksum=nbody.format_checksum(energy),
        ops=iterations,
        total_ns=total_ns,
    )


# The model is a runtime configuration set by the runner, not different code.
MODELS = {
    "default": run,
}
