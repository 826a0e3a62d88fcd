/**
 * What the warm pool buys: create → first picture in the client (the console in a real Chromium:
 * "Start new session" clicked → the live view's first frame presented), with the host keeping one
 * runtime warm against the same host with none, measured in the same run (two stacks, one after
 * the other, same settings otherwise). Each session is killed before the next round, so a warm
 * round always finds its runtime ready (the bench waits for the pool to refill, read from the
 * host's /metrics).
 *
 * The host learns of a placement from its next heartbeat; the bench sets the heartbeat interval to
 * 250 ms (default 5 s) so the figure shows the runtime's start, not the heartbeat's phase.
 *
 * Each round also says where its time went (`warm_*_ms`, `cold_*_ms`: the median moment after the
 * click at which the console had its create answer, the host learned of the session, had its
 * runtime, ran it, the console saw it running, had its ticket, the relay admitted it, the page had
 * its client, and the first frame showed; see pool-phases.ts). `memory_per_session_mib` is the
 * PSS of the agent's process tree with two idle sessions against none, per session.
 *
 * `sessions_per_host` (pool-capacity.ts): idle sessions added one by one while one session types
 * through the console, until its key→pixel p95 passes 60 ms (`sessions_per_host_p95_ms_at_<n>`:
 * the p95 with n sessions).
 *
 *   node --import tsx test/bench/pool-bench.ts [--rounds 3] [--no-write]
 *     [--warm-only|--cold-only|--capacity-only]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLocalStack } from '../../deploy/local/stack.ts';
import { freePort } from '../../edge/local/index.ts';
import { launchClientBrowser } from '../e2e/support/browser.ts';
import { CONSOLE_VIEWPORT, type ConsoleWindow, signIn } from '../e2e/support/console-driver.ts';
import { type CapacityResult, sessionsPerHost } from './pool-capacity.ts';
import {
  HostLogTap,
  type Phases,
  phaseMedians,
  readPhases,
  resetPageTimings,
} from './pool-phases.ts';
import { percentile, RESULTS_DIR, writeBenchResult } from './results.ts';
import { treePssMib } from './support/proc-memory.ts';

const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] ?? 0) || 3;
const METRICS_TOKEN = 'pool-bench-metrics-token';
const log = (line: string) => console.log(`[pool] ${line}`);

async function measure(
  warm: number,
): Promise<{ times: number[]; phases: Phases[]; memoryPerSessionMib?: number }> {
  const hostLog = new HostLogTap();
  const dataDir = mkdtempSync(join(tmpdir(), 'bp-pool-bench-'));
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    relayPort: await freePort(),
    plainPort: await freePort(),
    host: 'child',
    hostMaxSessions: 2,
    hostWarmRuntimes: warm,
    hostMetricsToken: METRICS_TOKEN,
    edgeVars: { HOST_HEARTBEAT_INTERVAL_MS: '250' },
    hostLog: hostLog.push,
  });
  const browser = await launchClientBrowser();
  try {
    const page = await browser.newPage({ viewport: CONSOLE_VIEWPORT });
    await signIn(page, stack.url);
    const warmNow = async () => {
      // a fresh connection each time (the relay closes idle keep-alive sockets)
      const res = await fetch(`http://127.0.0.1:${stack.plainPort}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}`, connection: 'close' },
      }).catch(() => undefined);
      const m = /^browserpane_host_warm_runtimes (\d+)$/m.exec((await res?.text()) ?? '');
      return Number(m?.[1] ?? 0);
    };
    const times: number[] = [];
    const phases: Phases[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const deadline = Date.now() + 120_000;
      while ((await warmNow()) < warm) {
        if (Date.now() > deadline) throw new Error('the warm pool did not refill');
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 1_000)); // let the refill's CPU settle
      await resetPageTimings(page);
      const { t0, at, sessionId } = await firstPicture(page);
      const ms = at - t0;
      times.push(ms);
      const seen = await readPhases(page, hostLog, sessionId, t0, at, warm > 0);
      phases.push(seen);
      log(
        `${warm ? 'warm' : 'cold'} round ${round + 1}: ${ms.toFixed(0)} ms ${JSON.stringify(seen)}`,
      );
      log(`  host attach steps (ms): ${JSON.stringify(hostLog.steps(sessionId))}`);
      if (!warm)
        log(
          `  host cold start steps (ms): ${JSON.stringify(hostLog.steps(sessionId, 'runtime started'))}`,
        );
      await kill(page, stack.url);
    }
    // memory: the agent's process tree (agent, Xvfb, Chromium, helpers) with two idle sessions
    // against none, both measured now (the cold stack keeps no warm runtime)
    let memoryPerSessionMib: number | undefined;
    const hostPid = stack.hostProcess?.pid();
    if (!warm && hostPid) {
      await new Promise((r) => setTimeout(r, 3_000)); // the killed session's processes are gone
      const before = treePssMib(hostPid);
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        ids.push((await firstPicture(page)).sessionId);
      }
      await new Promise((r) => setTimeout(r, 5_000)); // idle pages settle
      const after = treePssMib(hostPid);
      memoryPerSessionMib = (after - before) / 2;
      log(`memory: ${before.toFixed(0)} MiB without sessions, ${after.toFixed(0)} MiB with 2`);
      for (const id of ids) await kill(page, stack.url, id);
    }
    return { times, phases, ...(memoryPerSessionMib ? { memoryPerSessionMib } : {}) };
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Clicks "Start new session" and times until the live view presented the browser's first picture. */
async function firstPicture(page: Page): Promise<{ t0: number; at: number; sessionId: string }> {
  await page.evaluate(() => {
    (window as unknown as ConsoleWindow).bpClient = undefined;
  });
  // the moment the SDK client exists (the relay answered the hello), seen by the page itself
  // (a string: a named function inside would need the bundler's __name helper in the page)
  await page.evaluate(`(() => {
    window.bpConnectedAt = undefined;
    const watch = () => {
      if (window.bpClient) window.bpConnectedAt = Date.now();
      else requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  })()`);
  const t0 = Date.now();
  await page.click('[data-testid=new-session]');
  // the first frame that shows the browser: a display whose browser has not painted yet comes
  // as plain fills (no tile to decode), which is no picture of it
  await page.waitForFunction(
    () => {
      const stats = (window as unknown as ConsoleWindow).bpClient?.stats();
      return (stats?.framesPresented ?? 0) >= 1 && (stats?.tilesDecoded ?? 0) > 0;
    },
    undefined,
    { timeout: 120_000, polling: 'raf' },
  );
  const at = Date.now();
  const sessionId = await page.evaluate(
    () => (window as unknown as ConsoleWindow).bpClient?.sessionId ?? '',
  );
  return { t0, at, sessionId };
}

/** `sessions_per_host` and the p95 at each step, as flat bench keys. */
function capacityKeys(c: CapacityResult): Record<string, number> {
  const out: Record<string, number> = {
    sessions_per_host: c.sessions,
    // 1: the p95 or the memory ended the climb; 0: the time budget did (the host holds at least this many)
    sessions_per_host_limit_reached: c.stoppedBy === 'time' ? 0 : 1,
    sessions_per_host_p95_limit_ms: 60,
  };
  for (const step of c.steps) out[`sessions_per_host_p95_ms_at_${step.sessions}`] = step.p95Ms;
  return out;
}

/** The numbers of the last pool.json, without the keys that start with `prefix`. */
function lastResultsWithout(prefix: string): Record<string, number> {
  const path = join(RESULTS_DIR, 'pool.json');
  const last = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as object) : {};
  return Object.fromEntries(
    Object.entries(last).filter(
      ([k, v]) => typeof v === 'number' && !k.startsWith(prefix) && !k.startsWith('_'),
    ),
  );
}

async function kill(page: Page, edgeUrl: string, sessionId?: string): Promise<void> {
  const { id, token } = await page.evaluate(
    (given) => ({
      id: given ?? (window as unknown as ConsoleWindow).bpClient?.sessionId ?? '',
      token: JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
    }),
    sessionId,
  );
  await fetch(`${edgeUrl}/api/v1/sessions/${id}/kill`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
}

const only = args.includes('--warm-only')
  ? 'warm'
  : args.includes('--cold-only')
    ? 'cold'
    : args.includes('--capacity-only')
      ? 'capacity'
      : '';
const skipped: Awaited<ReturnType<typeof measure>> = { times: [Number.NaN], phases: [] };
const warmRun = only && only !== 'warm' ? skipped : await measure(1);
const coldRun = only && only !== 'cold' ? skipped : await measure(0);
const capacity = only && only !== 'capacity' ? undefined : await sessionsPerHost(log);
const warm = warmRun.times;
const cold = coldRun.times;
const result = {
  first_frame_warm_ms: Math.round(percentile(warm, 50)),
  first_frame_cold_ms: Math.round(percentile(cold, 50)),
  first_frame_warm_max_ms: Math.round(Math.max(...warm)),
  first_frame_cold_max_ms: Math.round(Math.max(...cold)),
  warm_speedup_x: Number((percentile(cold, 50) / percentile(warm, 50)).toFixed(2)),
  rounds: ROUNDS,
  heartbeat_interval_ms: 250,
  ...(coldRun.memoryPerSessionMib
    ? { memory_per_session_mib: Math.round(coldRun.memoryPerSessionMib) }
    : {}),
  ...phaseMedians('warm', warmRun.phases),
  ...phaseMedians('cold', coldRun.phases),
  ...(capacity ? capacityKeys(capacity) : {}),
};
log(JSON.stringify(result));
if (!args.includes('--no-write')) {
  // --capacity-only replaces the capacity figures and keeps the first-frame ones of the last run
  const kept = only === 'capacity' ? lastResultsWithout('sessions_per_host') : {};
  const fresh = only === 'capacity' && capacity ? capacityKeys(capacity) : result;
  log(`wrote ${writeBenchResult('pool', { ...kept, ...fresh })}`);
}
process.exit(0);
