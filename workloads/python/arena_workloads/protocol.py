"""The workload side of the contract's protocol: events on stdout, usage errors, parameters.

Owns: the JSON-lines format (one compact object per line, flushed at once), exit codes, and
parsing of `key=value` parameters. Must not: write anything but JSON events to stdout, or
know about any particular workload beyond the parameter names it is given.
"""

import json
import re
import sys

EXIT_USAGE = 2
EXIT_RESOURCE_LIMIT = 3

_POSITIVE_DECIMAL = re.compile(r"[0-9]+")


def emit(event, **fields):
    """Print one protocol event as a single compact JSON line and flush it immediately."""
    record = {"event": event}
    record.update(fields)
    sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def usage_error(message):
    """Report a usage error on stderr and exit with the usage exit code."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    sys.exit(EXIT_USAGE)


def parse_params(raw_params, required_keys):
    """Parse `key=value` arguments into {key: positive int}; exactly `required_keys` allowed."""
    params = {}
    for raw in raw_params:
        key, separator, value = raw.partition("=")
        if not separator:
            usage_error("parameter {!r} is not key=value".format(raw))
        if key not in required_keys:
            usage_error(
                "unknown parameter {!r}; expected: {}".format(key, ", ".join(required_keys))
            )
        if key in params:
            usage_error("parameter {!r} given twice".format(key))
        if not _POSITIVE_DECIMAL.fullmatch(value) or int(value) == 0:
            usage_error("parameter {}={!r} is not a positive decimal integer".format(key, value))
        params[key] = int(value)

    missing = [key for key in required_keys if key not in params]
    if missing:
        usage_error("missing parameter(s): {}".format(", ".join(missing)))
    return params
