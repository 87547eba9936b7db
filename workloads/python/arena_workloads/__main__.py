"""Entry point: `python -m arena_workloads <workload> <model> key=value ...`.

Owns: choosing the workload and model from the command line and handing them the parsed
parameters. Must not: measure anything, print anything but protocol events on stdout, or
know how a workload works (see ../../README.md for the contract).

Run from workloads/python (the harness sets that as the working directory): `-m` puts the
current directory on sys.path, which is how the package is found; nothing is installed.
"""

import sys

from arena_workloads import cpu_scale, http_io, loop_blocking, sleep_tasks
from arena_workloads.protocol import parse_params, usage_error

WORKLOADS = {
    "cpu-scale": cpu_scale,
    "sleep-tasks": sleep_tasks,
    "http-io": http_io,
    "loop-blocking": loop_blocking,
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

    workload = WORKLOADS.get(workload_name)
    if workload is None:
        usage_error("unknown workload {!r}; {}".format(workload_name, USAGE))

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
