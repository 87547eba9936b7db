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

_DECIMAL = re.compile(r"[0-9]+")
# `port=0` asks the OS for a free port (server workloads); every other parameter is a size.
_PORT_KEY = "port"
_MAX_PORT = 65535


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
    """Parse `key=value` arguments into {key: positive int}; exactly `required_keys` allowed.

    The one exception is `port`, which may also be 0 and must fit a TCP port.
    """
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
        if not _DECIMAL.fullmatch(value):
            usage_error("parameter {}={!r} is not a decimal integer".format(key, value))
        if key == _PORT_KEY:
            if int(value) > _MAX_PORT:
                usage_error("parameter {}={} exceeds {}".format(key, value, _MAX_PORT))
        elif int(value) == 0:
            usage_error("parameter {}={!r} is not a positive decimal integer".format(key, value))
        params[key] = int(value)

    missing = [key for key in required_keys if key not in params]
    if missing:
        usage_error("missing parameter(s): {}".format(", ".join(missing)))
    return params
