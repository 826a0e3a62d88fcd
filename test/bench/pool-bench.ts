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
 *   node --import tsx test/bench/pool-bench.ts [--rounds 3] [--no-write]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLocalStack } from '../../deploy/local/stack.ts';
import { freePort } from '../../edge/local/index.ts';
import { launchClientBrowser } from '../e2e/support/browser.ts';
import { CONSOLE_VIEWPORT, type ConsoleWindow, signIn } from '../e2e/support/console-driver.ts';
import { percentile, writeBenchResult } from './results.ts';

const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] ?? 0) || 3;
const METRICS_TOKEN = 'pool-bench-metrics-token';
const log = (line: string) => console.log(`[pool] ${line}`);

async function measure(warm: number): Promise<number[]> {
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
    for (let round = 0; round < ROUNDS; round++) {
      const deadline = Date.now() + 120_000;
      while ((await warmNow()) < warm) {
        if (Date.now() > deadline) throw new Error('the warm pool did not refill');
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 1_000)); // let the refill's CPU settle
      const ms = await firstPicture(page);
      times.push(ms);
      log(`${warm ? 'warm' : 'cold'} round ${round + 1}: ${ms.toFixed(0)} ms`);
      await kill(page, stack.url);
    }
    return times;
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Clicks "Start new session" and times until the live view presented its first frame. */
async function firstPicture(page: Page): Promise<number> {
  await page.evaluate(() => {
    (window as unknown as ConsoleWindow).bpClient = undefined;
  });
  const t0 = Date.now();
  await page.click('[data-testid=new-session]');
  await page.waitForFunction(
    () => ((window as unknown as ConsoleWindow).bpClient?.stats().framesPresented ?? 0) >= 1,
    undefined,
    { timeout: 120_000, polling: 'raf' },
  );
  return Date.now() - t0;
}

async function kill(page: Page, edgeUrl: string): Promise<void> {
  const { id, token } = await page.evaluate(() => ({
    id: (window as unknown as ConsoleWindow).bpClient?.sessionId ?? '',
    token: JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
  }));
  await fetch(`${edgeUrl}/api/v1/sessions/${id}/kill`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
}

const warm = await measure(1);
const cold = await measure(0);
const result = {
  first_frame_warm_ms: Math.round(percentile(warm, 50)),
  first_frame_cold_ms: Math.round(percentile(cold, 50)),
  first_frame_warm_max_ms: Math.round(Math.max(...warm)),
  first_frame_cold_max_ms: Math.round(Math.max(...cold)),
  warm_speedup_x: Number((percentile(cold, 50) / percentile(warm, 50)).toFixed(2)),
  rounds: ROUNDS,
  heartbeat_interval_ms: 250,
};
log(JSON.stringify(result));
if (!args.includes('--no-write')) log(`wrote ${writeBenchResult('pool', result)}`);
process.exit(0);
