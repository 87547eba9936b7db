"""Workload `jit-warmup`: how does one process's iteration time change with the iteration
number? (contract: ../../README.md). For CPython 3.11 it is an interpreter control: there is
no JIT; its specialising interpreter (PEP 659) rewrites hot bytecode after a few executions,
well within iteration 0.

Owns: running one benchmark (the model `default-<benchmark>` names it: nbody, spectral-norm or
fannkuch-redux, the `kernels` workload's own code) `iterations` times from scratch, timing each
iteration alone, and printing an iter event after each (outside the timed region) and the
result. Must not: carry anything from one iteration to the next (bodies, vectors,
permutations, results), warm up before iteration 0, or time the printing.
"""

import time

from . import fannkuch_redux, nbody, spectral_norm
from .protocol import emit

PARAMETERS = ("iterations", "n")

# Each benchmark: one whole kernel run from scratch (returns its raw value; the kernels module's
# kernel, so the algorithm is written once) and its checksum format.
BENCHMARKS = {
    "nbody": (nbody.run, nbody.format_checksum),
    "spectral-norm": (spectral_norm.run, spectral_norm.format_checksum),
    # fannkuch_redux.run returns (value, permutations): the value is the checksum's.
    "fannkuch-redux": (lambda n: fannkuch_redux.run(n)[0], fannkuch_redux.format_checksum),
}


def _runner(kernel, format_checksum):
    def run(iterations, n):
        total_ns = 0
        value = None
        for i in range(iterations):
            started_ns = time.perf_counter_ns()
            value = kernel(n)  # from scratch: new bodies, vectors or permutations
            elapsed_ns = time.perf_counter_ns() - started_ns
            emit("iter", i=i, ns=elapsed_ns)
            total_ns += elapsed_ns
        emit("result", checksum=format_checksum(value), ops=iterations, total_ns=total_ns)

    return run


# The model is `<runtime configuration>-<benchmark>`; CPython has one configuration.
MODELS = {
    "default-" + name: _runner(kernel, fmt) for name, (kernel, fmt) in BENCHMARKS.items()
}
