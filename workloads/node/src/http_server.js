// The server plumbing shared by the server workloads (see ../../README.md, "Server workloads:
// common rules"): one node:http server on the main thread.
//
// Owns: listening on 127.0.0.1 (port 0 = OS-chosen), the ready event, keep-alive settings that
// hold idle connections open, routing by exact path, the query-integer rule (bad → 400), 404,
// every response's Content-Length, the request counter and GET /stats. Must not: know what a
// route computes, delay /stats, cache a response body, or write to stdout after ready.
'use strict';

const http = require('node:http');
const { UsageError, emit } = require('./protocol');

const HOST = '127.0.0.1';
const MAX_PORT = 65535;
// Well above the contract's minimum of 1024; Linux caps it at net.core.somaxconn.
const LISTEN_BACKLOG = 4096;

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain';

const STATS_PATH = '/stats';

const DECIMAL_DIGITS = /^[0-9]+$/;

/** A query parameter that is missing, not a decimal integer, or out of range: answered 400. */
class BadRequest extends Error {
  constructor(message) {
    super(message);
    this.name = 'BadRequest';
  }
}

/**
 * The integer value of query parameter `name`, 0 ≤ value ≤ max.
 * ASCII digits only: no sign, no spaces, no exponent, no fraction (leading zeros are fine).
 * Throws BadRequest otherwise, which the server answers with 400.
 */
function queryInteger(query, name, max) {
  const raw = query.get(name);
  if (raw === null) {
    throw new BadRequest(`missing query parameter '${name}'`);
  }
  if (!DECIMAL_DIGITS.test(raw)) {
    throw new BadRequest(`query parameter ${name}='${raw}' is not a non-negative decimal integer`);
  }
  const value = Number(raw);
  if (value > max) {
    throw new BadRequest(`query parameter ${name}=${raw} exceeds ${max}`);
  }
  return value;
}

/** Split a request target into its path and its query string ('' when there is none). */
function splitTarget(target) {
  const mark = target.indexOf('?');
  return mark === -1 ? [target, ''] : [target.slice(0, mark), target.slice(mark + 1)];
}

function writeResponse(res, status, contentType, body) {
  // Content-Length set explicitly, so node never falls back to chunked encoding.
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Serve `routes` on 127.0.0.1:`port` until the process is killed, and print the ready event
 * once the socket listens. Resolves after ready; the listening server keeps the process alive.
 *
 * routes: { '/path': { contentType, handle(query, reply) } }. `handle` reads its query
 * parameters with queryInteger before it does anything else (a BadRequest thrown
 * synchronously becomes a 400), then calls reply(body) exactly once, now or later.
 * runtimeStats(): extra integer counters merged into the /stats body; must be cheap.
 * countConnections: whether /stats also carries the open-connection count (first-response's
 * /stats is exactly {"requests":R}).
 */
function serve({ port, routes, runtimeStats = () => ({}), countConnections = true }) {
  if (port > MAX_PORT) {
    throw new UsageError(`port=${port} exceeds ${MAX_PORT}`);
  }

  // Responses to every path but /stats, counted before the response is written.
  let requestsCompleted = 0;

  function answer(res, status, contentType, body) {
    requestsCompleted++;
    writeResponse(res, status, contentType, body);
  }

  function answerStats(server, res) {
    if (!countConnections) {
      const counters = { requests: requestsCompleted, ...runtimeStats() };
      writeResponse(res, 200, JSON_TYPE, JSON.stringify(counters));
      return;
    }
    // getConnections is exact and costs nothing per connection (node keeps the count anyway).
    server.getConnections((error, connections) => {
      const counters = { requests: requestsCompleted, ...runtimeStats() };
      if (!error) {
        counters.connections = connections;
      }
      writeResponse(res, 200, JSON_TYPE, JSON.stringify(counters));
    });
  }

  const server = http.createServer((req, res) => {
    const [path, queryString] = splitTarget(req.url);
    if (path === STATS_PATH) {
      answerStats(server, res);
      return;
    }
    if (!Object.hasOwn(routes, path)) {
      answer(res, 404, TEXT_TYPE, 'not found');
      return;
    }
    const { contentType, handle } = routes[path];
    try {
      handle(new URLSearchParams(queryString), (body) => answer(res, 200, contentType, body));
    } catch (error) {
      if (!(error instanceof BadRequest)) {
        throw error;
      }
      answer(res, 400, TEXT_TYPE, error.message);
    }
  });

  // Idle keep-alive connections must stay open for ≥ 120 s (the contract). node's defaults:
  // - keepAliveTimeout 5 s closes an idle connection after its last response: 0 disables it,
  //   so an idle connection lives until the client closes it;
  // - headersTimeout 60 s / requestTimeout 300 s only apply to a request in progress, but an
  //   inline loop-blocking server can hold a parsed request back behind a long computation, and
  //   the answer must then be late, never a 408: 0 disables both (and the periodic check);
  // - server.timeout (socket inactivity) and maxRequestsPerSocket are already 0 = unlimited in
  //   node 20; set explicitly so a different default cannot close connections silently.
  server.keepAliveTimeout = 0;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  server.timeout = 0;
  server.maxRequestsPerSocket = 0;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: HOST, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      // Once serving, a failed accept (e.g. EMFILE) costs that one connection, not the server.
      server.on('error', (error) => process.stderr.write(`server error: ${error.message}\n`));
      emit('ready', { port: server.address().port });
      resolve(server);
    });
  });
}

module.exports = { BadRequest, JSON_TYPE, TEXT_TYPE, queryInteger, serve, splitTarget };
