// Workload startup: parse the arguments, print one result line, exit 0 (see ../../README.md,
// "Workload startup"). Also the entry of node/snapshot's startup snapshot, built with
// `node --snapshot-blob <artifacts>/startup.blob --build-snapshot src/startup_snapshot.js`.
//
// Owns: the startup program, which both models run: node/default requires this file through
// main.js, node/snapshot runs it as the snapshot's deserialize-main function. Must not: require
// any user-land module (a snapshot entry may require built-in modules only, so this file is
// self-contained), require node:v8 outside a snapshot build (it costs ~2 ms of the very start-up
// being measured), start timers or threads, or write anything but the result line to stdout.
'use strict';

const PARAMETERS = ['seed'];

// Every model is a runtime configuration of the same code.
const MODEL_NAMES = ['default', 'snapshot'];

// Exactly the values protocol.parseParams accepts for a key other than port.
const SEED_ARGUMENT = /^seed=([0-9]+)$/;

const EXIT_USAGE = 2;

/** The startup program: one result event whose checksum is the seed. */
function runStartup({ seed }) {
  process.stdout.write(`${JSON.stringify({ event: 'result', checksum: String(seed), ops: 1 })}\n`);
}

/**
 * The seed of a valid `startup <model> seed=S` command line (argv without node and script),
 * or null for anything else. It accepts only what main.js and parseParams accept, so the
 * snapshot can answer a valid command itself and leave every other one to main.js.
 */
function startupSeed(argv) {
  if (argv.length !== 3 || argv[0] !== 'startup' || !MODEL_NAMES.includes(argv[1])) {
    return null;
  }
  const match = SEED_ARGUMENT.exec(argv[2]);
  if (match === null) {
    return null;
  }
  const seed = Number(match[1]);
  return seed >= 1 && Number.isSafeInteger(seed) ? seed : null;
}

/**
 * The snapshot's main function. Node runs it instead of the script named on the command line
 * (`node --snapshot-blob startup.blob main.js startup snapshot seed=7`), so a command that is
 * not a valid startup run — first-response under the same flag, or a usage error — is handed
 * to that script, main.js, which then behaves exactly as without the snapshot.
 */
function snapshotMain() {
  const seed = startupSeed(process.argv.slice(2));
  if (seed !== null) {
    runStartup({ seed });
    return;
  }
  const script = process.argv[1];
  if (script === undefined) {
    process.stderr.write(
      'usage: node --snapshot-blob startup.blob main.js <workload> <model> key=value ...\n',
    );
    process.exitCode = EXIT_USAGE;
    return;
  }
  // Resolved at run time, not while building: user-land modules cannot be in the snapshot.
  const path = require('node:path');
  const { createRequire } = require('node:module');
  const scriptPath = path.resolve(script);
  createRequire(scriptPath)(scriptPath);
}

// --build-snapshot is a node option, so it shows in execArgv; the v8 check confirms it.
function buildingSnapshot() {
  return (
    process.execArgv.includes('--build-snapshot') &&
    require('node:v8').startupSnapshot.isBuildingSnapshot()
  );
}

if (buildingSnapshot()) {
  require('node:v8').startupSnapshot.setDeserializeMainFunction(snapshotMain);
} else {
  const MODELS = Object.fromEntries(MODEL_NAMES.map((name) => [name, runStartup]));
  module.exports = { PARAMETERS, MODELS, runStartup, startupSeed };
}
