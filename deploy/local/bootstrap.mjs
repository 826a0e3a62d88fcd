#!/usr/bin/env node
// Entry point of `npm start`, `npm test` and `npm run bench` on a fresh clone: installs the npm
// dependencies and the Debian packages BrowserPane needs (or names the exact command when it
// cannot), then hands off. Plain Node only: nothing here may import a dependency.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { START_HELP } from './start-help.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [command = 'help', ...rest] = process.argv.slice(2);

const USAGE = `usage: node deploy/local/bootstrap.mjs <start|test|bench> [args]
  start   the whole local stack (embedded Postgres, edge under workerd, one host agent)
  test    typecheck, lint and every test suite (extra args go to vitest)
  bench   every benchmark; results under test/bench/results/`;

function log(msg) {
  process.stdout.write(`[bootstrap] ${msg}\n`);
}

function run(cmd, args, options = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (res.error) throw res.error;
  return res.status ?? 1;
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`BrowserPane needs Node.js 20.19 or newer; this is ${process.versions.node}.`);
    process.exit(1);
  }
}

function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.browserpane-install');
  const digest = createHash('sha256')
    .update(readFileSync(lock))
    .update(readFileSync(join(root, 'package.json')))
    .digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === digest) return;
  // `npm install` follows the lock file exactly as `npm ci` would. The lock lists every platform's
  // optional binaries (e.g. @biomejs/cli-darwin-arm64), as npm writes it: a lock without them is
  // rewritten by the first install, which left a fresh clone dirty after `npm test`.
  log('installing npm dependencies (first run takes a few minutes) …');
  const install = () => run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
  let status = install();
  if (status !== 0) {
    // A native package's install script sometimes runs before its files are all unpacked
    // (seen with zstd-napi: "binding.gyp not found" while other installs share the npm cache);
    // a second attempt finds the cache complete.
    log('npm install failed; trying once more …');
    status = install();
  }
  if (status !== 0) {
    console.error('npm install failed; see the output above.');
    process.exit(status);
  }
  writeFileSync(marker, digest);
  log('npm dependencies installed');
}

function ensureSystemPackages() {
  const role = command === 'test' ? 'test' : 'stack';
  const status = run('bash', [join(root, 'deploy/local/system-packages.sh'), '--role', role]);
  if (status !== 0) process.exit(status);
}

/**
 * Runs the long-lived step as a child and passes SIGINT/SIGTERM/SIGHUP on to it, so stopping this
 * process (Ctrl-C, `kill`, a service manager) stops the stack in order instead of orphaning it.
 */
function handOff(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    const forward = (signal) => {
      if (child.exitCode === null) child.kill(signal);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
    child.on('error', (err) => {
      console.error(err.message);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 0)));
  });
}

async function main() {
  checkNode();
  if (!['start', 'test', 'bench'].includes(command)) {
    console.log(USAGE);
    process.exit(command === 'help' || command === '--help' ? 0 : 1);
  }
  // Help answers at once: no dependency or system package is needed to print it.
  if (command === 'start' && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(START_HELP);
    process.exit(0);
  }
  ensureNodeModules();
  ensureSystemPackages();
  const tsx = ['--import', 'tsx'];
  let status = 0;
  if (command === 'start') {
    status = await handOff([...tsx, 'deploy/local/start.ts', ...rest]);
  } else if (command === 'test') {
    log('typecheck');
    status = run(process.execPath, ['deploy/local/typecheck.mjs']);
    if (status === 0) {
      log('lint');
      status = run(process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'check', '.']);
    }
    if (status === 0) {
      log('test suites');
      status = await handOff(['node_modules/vitest/vitest.mjs', 'run', ...rest]);
    }
  } else {
    status = await handOff([...tsx, 'test/bench/run-all.ts', ...rest]);
  }
  process.exit(status);
}

await main();
