// Entry point: `node main.js <workload> <model> key=value ...`.
//
// Owns: choosing the workload and model from the command line and handing them the parsed
// parameters, and turning failures into the contract's exit codes. Must not: measure anything,
// write anything but protocol events to stdout, or know how a workload works
// (see ../README.md for the contract). Launched by absolute path from any cwd: every module
// is required relative to this file, never to the working directory.
'use strict';

const { UsageError, parseParams, EXIT_USAGE, EXIT_FAILURE } = require('./src/protocol');

// Each workload's module, required only once it is chosen: the runtime-cost workloads
// (startup, first-response) measure what the runtime does before useful work, so loading
// every other workload's code (and node:http, node:worker_threads) would be counted as theirs.
// Each module exports MODELS and either PARAMETERS (the keys every model takes) or
// MODEL_PARAMETERS (the keys per model, when its models differ).
const WORKLOADS = {
  'cpu-scale': './src/cpu_scale',
  'first-response': './src/first_response',
  'gc-pause': './src/gc_pause',
  'http-io': './src/http_io',
  'jit-warmup': './src/jit_warmup',
  kernels: './src/kernels',
  'loop-blocking': './src/loop_blocking',
  'msg-passing': './src/msg_passing',
  'sleep-tasks': './src/sleep_tasks',
  // The startup program lives in the snapshot entry file itself, so that node/default and
  // node/snapshot run the same code (a snapshot entry can require built-in modules only).
  startup: './src/startup_snapshot',
};

const USAGE =
  `usage: node main.js <workload> <model> key=value ...  (workloads: ${Object.keys(WORKLOADS).sort().join(', ')})`;

function selectRun(argv) {
  if (argv.length < 2) {
    throw new UsageError(USAGE);
  }
  const [workloadName, modelName, ...rawParams] = argv;

  if (!Object.hasOwn(WORKLOADS, workloadName)) {
    throw new UsageError(`unknown workload '${workloadName}'; ${USAGE}`);
  }
  const workload = require(WORKLOADS[workloadName]);

  if (!Object.hasOwn(workload.MODELS, modelName)) {
    const models = Object.keys(workload.MODELS).sort().join(', ');
    throw new UsageError(`unknown model '${modelName}' for ${workloadName}; models: ${models}`);
  }
  const runModel = workload.MODELS[modelName];

  const parameterKeys = workload.MODEL_PARAMETERS
    ? workload.MODEL_PARAMETERS[modelName]
    : workload.PARAMETERS;
  const params = parseParams(rawParams, parameterKeys);
  return () => runModel(params);
}

// A UsageError is raised only before a workload prints anything (a bad command line, or a
// value the runtime cannot honour); any other error is a failure.
async function main(argv) {
  try {
    const run = selectRun(argv);
    await run();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    throw error;
  }
}

// Never call process.exit() here: setting exitCode and letting the event loop drain
// guarantees every event already written to stdout reaches the reader.
main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exitCode = EXIT_FAILURE;
});
