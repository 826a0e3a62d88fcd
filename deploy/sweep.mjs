#!/usr/bin/env node
// The periodic sweep for edges without cron triggers (plain workerd): calls
// POST /api/v1/maintenance/sweep with the operator token, once or every N seconds. Plain Node,
// no dependencies, so it runs in any image with node (the compose `sweeper`, the Kubernetes
// CronJob, the systemd timer).
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const HELP = `usage: node deploy/sweep.mjs [--url <edge>] [--every <seconds>]

Runs the edge's periodic sweep (idle stops, lost hosts, placement of queued sessions, cleanup) by
calling POST <edge>/api/v1/maintenance/sweep with the operator token. Once (exit 0 when the edge
answered 200, 1 otherwise), or in a loop with --every (failures are logged and retried).

Environment (flags of the same name in kebab case override):
  SWEEP_URL         edge base URL to call                       (default: http://127.0.0.1:8787)
  OPERATOR_TOKEN    the edge's OPERATOR_TOKEN                   (required, secret)
  SWEEP_EVERY       seconds between sweeps; 0 = once            (default: 0)
  SWEEP_TIMEOUT     seconds one call may take                   (default: 30)
`;

/** Settings from flags and environment; throws a message naming what is wrong. */
export function sweepSettings(argv, env) {
  const flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    const m = /^--(url|every|timeout)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument: ${arg}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    flags.set(m[1], value);
  }
  const url = (flags.get('url') ?? env.SWEEP_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(url)) throw new Error('SWEEP_URL must be an http(s) URL');
  const token = env.OPERATOR_TOKEN ?? '';
  if (token.length < 8) throw new Error('OPERATOR_TOKEN must be set (the edge operator token)');
  const seconds = (name, raw, fallback, min) => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}`);
    return n;
  };
  return {
    help: false,
    url,
    token,
    every: seconds('SWEEP_EVERY', flags.get('every') ?? env.SWEEP_EVERY, 0, 0),
    timeout: seconds('SWEEP_TIMEOUT', flags.get('timeout') ?? env.SWEEP_TIMEOUT, 30, 1),
  };
}

/** One sweep call; resolves to a log record (never throws). */
export async function sweepOnce({ url, token, timeout }) {
  const started = Date.now();
  try {
    const res = await fetch(`${url}/api/v1/maintenance/sweep`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeout * 1000),
    });
    const text = await res.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const ms = Date.now() - started;
    if (res.status === 200) return { ok: true, level: 'info', msg: 'sweep', ms, ...body };
    return {
      ok: false,
      level: 'error',
      msg: 'sweep refused',
      status: res.status,
      code: body?.error?.code ?? null,
      message: body?.error?.message ?? text.slice(0, 200),
      ms,
    };
  } catch (error) {
    const cause = error?.cause?.code ?? error?.cause?.message;
    const message = String(error?.message ?? error);
    return {
      ok: false,
      level: 'error',
      msg: 'sweep failed',
      error: cause ? `${message} (${cause})` : message,
    };
  }
}

function log(record) {
  const { ok: _ok, ...rest } = record;
  const line = JSON.stringify({ time: new Date().toISOString(), ...rest });
  (record.ok ? process.stdout : process.stderr).write(`${line}\n`);
}

async function main() {
  let settings;
  try {
    settings = sweepSettings(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error.message}\n\n${HELP}`);
    return 2;
  }
  if (settings.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (settings.every === 0) {
    const record = await sweepOnce(settings);
    log(record);
    return record.ok ? 0 : 1;
  }
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => stop.abort());
  while (!stop.signal.aborted) {
    log(await sweepOnce(settings));
    await sleep(settings.every * 1000, undefined, { signal: stop.signal }).catch(() => {});
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
