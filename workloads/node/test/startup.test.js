// The startup program, run plain (node/default) and from a startup snapshot (node/snapshot),
// built here the way the build step builds it.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startupSeed } = require('../src/startup_snapshot');
const { runMain } = require('./run_main');

const NODE_DIR = path.join(__dirname, '..');
const RESULT_LINE = '{"event":"result","checksum":"7","ops":1}';

test('startupSeed accepts exactly the valid startup command lines', () => {
  assert.equal(startupSeed(['startup', 'default', 'seed=7']), 7);
  assert.equal(startupSeed(['startup', 'snapshot', 'seed=0012']), 12);
  for (const argv of [
    ['startup', 'default'],
    ['startup', 'default', 'seed=0'],
    ['startup', 'default', 'seed=-1'],
    ['startup', 'default', 'seed=1.5'],
    ['startup', 'default', 'seed=99999999999999999999'],
    ['startup', 'default', 'seed=7', 'seed=7'],
    ['startup', 'cds', 'seed=7'],
    ['kernels', 'default', 'seed=7'],
  ]) {
    assert.equal(startupSeed(argv), null, argv.join(' '));
  }
});

test('startup default prints the one result line and exits 0', async () => {
  const { code, stdoutLines, stderr } = await runMain(['startup', 'default', 'seed=7']);
  assert.equal(code, 0);
  assert.deepEqual(stdoutLines, [RESULT_LINE]);
  assert.equal(stderr, '');
  assert.equal((await runMain(['startup', 'default', 'seed=0'])).code, 2);
});

test('startup snapshot runs the same program, and hands other commands to main.js', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-node-snapshot-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const blob = path.join(dir, 'startup.blob');
  execFileSync(
    process.execPath,
    ['--snapshot-blob', blob, '--build-snapshot', 'src/startup_snapshot.js'],
    { cwd: NODE_DIR, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const nodeFlags = ['--snapshot-blob', blob];

  const startup = await runMain(['startup', 'snapshot', 'seed=7'], { nodeFlags });
  assert.equal(startup.code, 0);
  assert.deepEqual(startup.stdoutLines, [RESULT_LINE]);

  const usage = await runMain(['startup', 'snapshot', 'seed=x'], { nodeFlags });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /seed='x'/);

  const other = await runMain(['kernels', 'fannkuch-redux', 'n=7'], { nodeFlags });
  assert.equal(other.code, 0);
  assert.equal(other.events[0].checksum, '228:16');
});
