// Workload first-response: a minimal server whose first answer the harness times from spawn
// (see ../../README.md, "Workload first-response").
//
// Owns: the /ping body and the server's configuration — node:http's http.createServer on the
// main thread, through http_server.js, with /stats exactly {"requests":R}. Every model
// (default, snapshot) is a runtime configuration set by the runner, so all run this same code.
// Must not: do any work before listening (the time to the first 200 is the measurement), load
// other workloads' modules, or bypass http_server.js for a response.
'use strict';

const { TEXT_TYPE, serve } = require('./http_server');

const PARAMETERS = ['port'];

const PONG_BODY = 'pong';

const ROUTES = {
  '/ping': { contentType: TEXT_TYPE, handle: (_query, reply) => reply(PONG_BODY) },
};

async function runFirstResponse({ port }) {
  await serve({ port, routes: ROUTES, countConnections: false });
}

const MODELS = {
  default: runFirstResponse,
  snapshot: runFirstResponse,
};

module.exports = { PARAMETERS, MODELS, PONG_BODY };
