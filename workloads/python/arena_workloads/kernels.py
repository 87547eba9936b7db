"""Workload `kernels`: raw single-thread speed, one kernel per model (contract: ../../README.md).

Owns: which kernel each model names, what `ops` counts for it, and timing it (`work_ns`, from
just before the kernel starts to just after its checksum value exists; formatting excluded).
Must not: run a kernel in more than one thread or process, warm it up before the timed run,
or print anything but the result event. The kernels themselves live in their own modules.
"""

import time

from . import binary_trees, fannkuch_redux, nbody, spectral_norm
from .protocol import emit

PARAMETERS = ("n",)


# Each returns (checksum value, ops); the checksum is formatted after the clock stops.
def _nbody(n):
    return nbody.run(n), n  # ops: the steps


def _spectral_norm(n):
    return spectral_norm.run(n), n  # ops: the size of the matrix's side


def _fannkuch_redux(n):
    return fannkuch_redux.run(n)  # ops: the permutations visited (n!)


def _binary_trees(n):
    total = binary_trees.run(n)
    return total, total  # ops: the nodes allocated, which is the sum of the checks


def _measured(kernel, format_checksum):
    def run_model(n):
        started_ns = time.perf_counter_ns()
        value, ops = kernel(n)
        work_ns = time.perf_counter_ns() - started_ns
        emit("result", checksum=format_checksum(value), ops=ops, work_ns=work_ns)

    return run_model


MODELS = {
    "nbody": _measured(_nbody, nbody.format_checksum),
    "spectral-norm": _measured(_spectral_norm, spectral_norm.format_checksum),
    "fannkuch-redux": _measured(_fannkuch_redux, fannkuch_redux.format_checksum),
    "binary-trees": _measured(_binary_trees, binary_trees.format_checksum),
}
