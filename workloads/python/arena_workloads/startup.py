"""Workload `startup`: what does the runtime cost before the first useful work?
(contract: ../../README.md). The measurement is the process's time to exit.

Owns: the minimal program every startup model runs: the seed it was given, echoed as the result.
Must not: import anything beyond the protocol helper (every import is start-up time being
measured), start threads or timers, or do any work.
"""

from .protocol import emit

PARAMETERS = ("seed",)


def run(seed):
    emit("result", checksum=str(seed), ops=1)


# The models are runtime configurations (`-S`, `-I`) set by the runner: the same code for all.
MODELS = {
    "default": run,
    "no-site": run,
    "isolated": run,
}
