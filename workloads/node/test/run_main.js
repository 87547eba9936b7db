// Test helper: run main.js as the harness launches it, in a child process.
//
// Owns: spawning `node [flags] main.js <args>` and splitting its stdout into protocol events.
// Must not: assert anything itself (each test file states what it expects).
'use strict';

const { execFile, spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const MAIN = path.join(__dirname, '..', 'main.js');

/** Run to completion: { code, events (parsed stdout lines), stdoutLines, stderr }. */
function runMain(args, { nodeFlags = [] } = {}) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeFlags, MAIN, ...args], (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      const stdoutLines = stdout.split('\n').filter((line) => line !== '');
      resolve({
        code: error ? error.code : 0,
        stdoutLines,
        events: stdoutLines.map((line) => JSON.parse(line)),
        stderr,
      });
    });
  });
}

/**
 * Start a server workload and resolve with { child, ready } once it printed its ready event.
 * The caller kills the child.
 */
function startServer(args, { nodeFlags = [] } = {}) {
  const child = spawn(process.execPath, [...nodeFlags, MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve({ child, ready: JSON.parse(line) }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before ready`)));
  });
}

module.exports = { MAIN, runMain, startServer };
