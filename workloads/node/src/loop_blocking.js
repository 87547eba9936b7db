// Workload loop-blocking: does one CPU-heavy request stall the others? (see ../../README.md,
// "Workload loop-blocking").
//
// Owns: the node models `inline` (the kernel runs in the request handler, blocking the event
// loop on purpose) and `workers` (the kernel runs on a PartialPool of worker_threads), and the
// exact bodies of /ping and /cpu. Must not: change the kernel, compute /cpu anywhere but where
// the model says, or bypass http_server.js for a response.
'use strict';

const { TEXT_TYPE, queryInteger, serve } = require('./http_server');
const { partial } = require('./chunk_hash');
const { PartialPool } = require('./partial_pool');

const MODEL_PARAMETERS = {
  inline: ['port'],
  workers: ['port', 'workers'],
};

const PONG_BODY = 'pong';

// The kernel works on unsigned 32-bit values; larger chunk or items values are not integers it
// takes (and items beyond that would run for hours), so they are answered 400.
const MAX_U32 = 2 ** 32 - 1;

/** The /cpu query: { chunk, items }, or a BadRequest (400). */
function cpuQuery(query) {
  return {
    items: queryInteger(query, 'items', MAX_U32),
    chunk: queryInteger(query, 'chunk', MAX_U32),
  };
}

function handlePing(_query, reply) {
  reply(PONG_BODY);
}

function routesWith(handleCpu) {
  return {
    '/ping': { contentType: TEXT_TYPE, handle: handlePing },
    '/cpu': { contentType: TEXT_TYPE, handle: handleCpu },
  };
}

/** Model `inline`: the kernel runs in the request handler; nothing else runs meanwhile. */
async function runInline({ port }) {
  function handleCpuInline(query, reply) {
    const { chunk, items } = cpuQuery(query);
    reply(String(partial(chunk, items)));
  }

  await serve({ port, routes: routesWith(handleCpuInline) });
}

/**
 * Model `workers`: `workers` worker_threads, all online before the server listens; each /cpu
 * request waits FIFO for an idle worker, and its reply is the partial that worker posts back.
 */
async function runWorkers({ port, workers }) {
  const pool = await PartialPool.start(workers);

  function handleCpuOffloaded(query, reply) {
    const { chunk, items } = cpuQuery(query);
    pool.compute(chunk, items).then((value) => reply(String(value)));
  }

  try {
    await serve({ port, routes: routesWith(handleCpuOffloaded), runtimeStats: () => pool.stats() });
  } catch (error) {
    await pool.close(); // or the live workers would keep the failed process running
    throw error;
  }
}

const MODELS = {
  inline: runInline,
  workers: runWorkers,
};

module.exports = { MODEL_PARAMETERS, MODELS, PONG_BODY, cpuQuery };
