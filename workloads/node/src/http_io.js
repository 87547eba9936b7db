// Workload http-io: a server whose requests wait on I/O (see ../../README.md, "Workload http-io").
//
// Owns: the node model `http` — node:http on the main thread, the /io wait a setTimeout timer —
// and the exact bodies of /json and /io. Must not: block the event loop, cache an /io body
// (it is computed from the request's id every time), or bypass http_server.js for a response.
'use strict';

const { JSON_TYPE, queryInteger, serve } = require('./http_server');

const PARAMETERS = ['port'];

const HELLO_BODY = '{"message":"Hello, World!"}';

// The contract's id range is 0 ≤ N < 2^31.
const MAX_ID = 2 ** 31 - 1;
// setTimeout silently turns a longer delay into 1 ms (with a TimeoutOverflowWarning).
const MAX_TIMER_MS = 2 ** 31 - 1;

const HASH_MULTIPLIER = 2654435761;

/** H = (id × 2654435761) mod 2^32, as an unsigned 32-bit integer. */
function ioHash(id) {
  return Math.imul(id, HASH_MULTIPLIER) >>> 0;
}

/** The exact /io body for `id`: {"id":N,"hash":H}. */
function ioBody(id) {
  return `{"id":${id},"hash":${ioHash(id)}}`;
}

function handleJson(_query, reply) {
  reply(HELLO_BODY);
}

function handleIo(query, reply) {
  const id = queryInteger(query, 'id', MAX_ID);
  const delayMs = queryInteger(query, 'delay_ms', MAX_TIMER_MS);
  if (delayMs === 0) {
    reply(ioBody(id));
    return;
  }
  // A non-blocking timer: the event loop serves other requests meanwhile.
  setTimeout(() => reply(ioBody(id)), delayMs);
}

const ROUTES = {
  '/json': { contentType: JSON_TYPE, handle: handleJson },
  '/io': { contentType: JSON_TYPE, handle: handleIo },
};

/** Model `http`: http.createServer on the main thread; /io waits on setTimeout. */
async function runHttp({ port }) {
  await serve({ port, routes: ROUTES });
}

const MODELS = {
  http: runHttp,
};

module.exports = { PARAMETERS, MODELS, HELLO_BODY, ioBody, ioHash };
