"""Entry point: `python -m arena_workloads <workload> <model> key=value ...`.

Owns: choosing the workload and model from the command line and handing them the parsed
parameters. Must not: measure anything, print anything but protocol events on stdout, know how
a workload works (see ../../README.md for the contract), or import a workload it does not run.

Run from workloads/python (the harness sets that as the working directory): `-m` puts the
current directory on sys.path, which is how the package is found; nothing is installed.
"""

import sys
from importlib import import_module

from arena_workloads.protocol import parse_params, usage_error

# Workload id → its module, imported by name only once chosen: `startup` and `first-response`
# measure the interpreter's own start-up, so no other workload's imports (asyncio,
# concurrent.futures, multiprocessing) may be paid for on their path.
WORKLOADS = {
    "cpu-scale": "arena_workloads.cpu_scale",
    "sleep-tasks": "arena_workloads.sleep_tasks",
    "http-io": "arena_workloads.http_io",
    "loop-blocking": "arena_workloads.loop_blocking",
    "startup": "arena_workloads.startup",
    "first-response": "arena_workloads.first_response",
    "kernels": "arena_workloads.kernels",
    "jit-warmup": "arena_workloads.jit_warmup",
    "gc-pause": "arena_workloads.gc_pause",
    "msg-passing": "arena_workloads.msg_passing",
}

USAGE = (
    "usage: python -m arena_workloads <workload> <model> key=value ...  (workloads: {})".format(
        ", ".join(sorted(WORKLOADS))
    )
)


def main(argv):
    if len(argv) < 2:
        usage_error(USAGE)
    workload_name, model_name, raw_params = argv[0], argv[1], argv[2:]

    module_name = WORKLOADS.get(workload_name)
    if module_name is None:
        usage_error("unknown workload {!r}; {}".format(workload_name, USAGE))
    workload = import_module(module_name)

    run_model = workload.MODELS.get(model_name)
    if run_model is None:
        usage_error(
            "unknown model {!r} for {}; models: {}".format(
                model_name, workload_name, ", ".join(sorted(workload.MODELS))
            )
        )

    # A workload whose models take different parameters lists them per model.
    required_keys = getattr(workload, "MODEL_PARAMETERS", {}).get(model_name, workload.PARAMETERS)
    params = parse_params(raw_params, required_keys)
    run_model(**params)


if __name__ == "__main__":
    main(sys.argv[1:])
