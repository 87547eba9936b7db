// The workload side of the contract's protocol: events on stdout, exit codes, parameters.
//
// Owns: the JSON-lines format (one compact object per line, written at once), the exit-code
// constants, and parsing of `key=value` parameters. Must not: write anything but JSON events
// to stdout, call process.exit() (that could drop buffered output), or know about any
// particular workload beyond the parameter names it is given.
'use strict';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const DECIMAL_DIGITS = /^[0-9]+$/;

// The contract lets `port` alone be 0 ("let the OS choose"); every other value must be >= 1.
const ZERO_ALLOWED = new Set(['port']);

/** A bad command line: main.js prints the message on stderr and exits with EXIT_USAGE. */
class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Print one protocol event as a single compact JSON line.
 * On Linux, process.stdout writes to files and pipes are synchronous, and to TTYs as well;
 * since nothing calls process.exit(), the line is delivered before the process ends anyway.
 */
function emit(event, fields) {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

/** Nanoseconds elapsed since `startNs` (a process.hrtime.bigint() value), as a JSON-safe Number. */
function nanosSince(startNs) {
  return Number(process.hrtime.bigint() - startNs);
}

/**
 * Parse `key=value` arguments into { key: integer }.
 * Every key in `requiredKeys` must appear exactly once and no other key may appear; a value
 * must be ASCII digits only (no sign, no spaces), at least 1 (at least 0 for `port`), and an
 * exact (safe) integer.
 */
function parseParams(rawParams, requiredKeys) {
  const params = {};
  for (const raw of rawParams) {
    const separator = raw.indexOf('=');
    if (separator <= 0) {
      throw new UsageError(`parameter '${raw}' is not key=value`);
    }
    const key = raw.slice(0, separator);
    const value = raw.slice(separator + 1);

    if (!requiredKeys.includes(key)) {
      throw new UsageError(`unknown parameter '${key}'; expected: ${requiredKeys.join(', ')}`);
    }
    if (Object.hasOwn(params, key)) {
      throw new UsageError(`parameter '${key}' given twice`);
    }
    const number = Number(value);
    const minimum = ZERO_ALLOWED.has(key) ? 0 : 1;
    if (!DECIMAL_DIGITS.test(value) || number < minimum || !Number.isSafeInteger(number)) {
      const expected = minimum === 0 ? 'non-negative' : 'positive';
      throw new UsageError(`parameter ${key}='${value}' is not a ${expected} decimal integer`);
    }
    params[key] = number;
  }

  const missing = requiredKeys.filter((key) => !Object.hasOwn(params, key));
  if (missing.length > 0) {
    throw new UsageError(`missing parameter(s): ${missing.join(', ')}`);
  }
  return params;
}

module.exports = { EXIT_FAILURE, EXIT_USAGE, UsageError, emit, nanosSince, parseParams };
