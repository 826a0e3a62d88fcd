/**
 * `sessions_per_host`: how many sessions this host holds while one of them types with key→pixel
 * p95 within the limit. One session shows a text box in the console's live view (a real client)
 * and types into it; idle sessions (the new-session page each, no client) are added one by one,
 * and after each the typing is measured again — while the p95 is below half the limit, four start
 * together and are measured once they run (a p95 over the limit is measured a second time and
 * the better one counts: the machine may be shared). It stops when the p95 passes the limit, when one
 * more session would leave less than a reserve of memory, or when the time budget is spent (then
 * the host holds at least the count reached).
 */
import { readFileSync } from 'node:fs';
import { waitForQuiet } from '../e2e/support/console-driver.ts';
import { startTestSite } from '../e2e/support/test-site.ts';
import { percentile } from './results.ts';
import { apiAs } from './support/api.ts';
import { round, sleep, startBenchStack } from './support/bench-stack.ts';
import { instrumentKeyLatency, typeFor } from './support/key-latency.ts';

export interface CapacityStep {
  sessions: number;
  p95Ms: number;
  samples: number;
  availableMib: number;
}

export interface CapacityResult {
  /** The most sessions at which the typing session's p95 stayed within the limit. */
  sessions: number;
  steps: CapacityStep[];
  /** What ended the climb. */
  stoppedBy: 'latency' | 'memory' | 'time';
}

const RESERVE_MIB = 1024;
/** Sessions started together while the p95 is below half the limit. */
const FAR_BATCH = 4;

function availableMib(): number {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

export async function sessionsPerHost(
  log: (line: string) => void,
  { p95LimitMs = 60, typeSeconds = 4, budgetMs = 6 * 60_000, maxSessions = 64 } = {},
): Promise<CapacityResult> {
  const started = Date.now();
  const site = await startTestSite();
  const bench = await startBenchStack(log, [site.url], undefined, { maxSessions });
  try {
    const page = bench.console;
    const typing = await bench.openSession();
    await typing.page.goto(`${site.url}/`);
    await typing.page.evaluate(() => document.getElementById('box')?.focus());
    await waitForQuiet(page, 1500);
    const probe = await instrumentKeyLatency(page);
    await page.evaluate(() =>
      (window as unknown as { bpClient: { focus(): void } }).bpClient.focus(),
    );
    const steps: CapacityStep[] = [];
    let perSessionMib = 0;
    let stoppedBy: CapacityResult['stoppedBy'] = 'time';
    for (let sessions = 1; sessions <= maxSessions; sessions++) {
      const measure = async () => {
        await waitForQuiet(page, 1000).catch(() => undefined);
        await probe.latencies();
        await typeFor(page, typeSeconds);
        const lat = await probe.latencies();
        return { p95Ms: round(percentile(lat, 95)), samples: lat.length };
      };
      let typed = await measure();
      if (!(typed.p95Ms <= p95LimitMs)) {
        // a neighbour's burst on a shared machine is no limit of this host: measured again, the
        // better of the two counts
        log(`capacity: ${sessions} sessions, p95 ${typed.p95Ms} ms; measuring again`);
        const again = await measure();
        if (again.p95Ms < typed.p95Ms) typed = again;
      }
      const step = { sessions, ...typed, availableMib: availableMib() };
      steps.push(step);
      log(`capacity: ${JSON.stringify(step)}`);
      if (!(step.p95Ms <= p95LimitMs)) {
        stoppedBy = 'latency';
        break;
      }
      if (step.availableMib - perSessionMib < RESERVE_MIB) {
        stoppedBy = 'memory';
        break;
      }
      if (Date.now() - started > budgetMs || sessions >= maxSessions) break;
      // far below the limit: the next few start together, measured once they all run
      const batch = Math.min(
        step.p95Ms < p95LimitMs / 2 ? FAR_BATCH : 1,
        maxSessions - sessions,
        Math.max(1, Math.floor((step.availableMib - RESERVE_MIB) / Math.max(perSessionMib, 1))),
      );
      const before = availableMib();
      await Promise.all(
        Array.from({ length: batch }, () => startIdleSession(page, bench.stack.url)),
      );
      await sleep(2_000); // the new pages settle
      perSessionMib = Math.max(perSessionMib, (before - availableMib()) / batch);
      sessions += batch - 1;
    }
    const within = steps.filter((s) => s.p95Ms <= p95LimitMs);
    return { sessions: within.at(-1)?.sessions ?? 0, steps, stoppedBy };
  } finally {
    await bench.close();
    await site.close();
  }
}

/** Creates a session through the API and waits until its browser runs (nobody watches it). */
async function startIdleSession(
  page: Parameters<typeof apiAs>[0],
  edgeUrl: string,
): Promise<string> {
  const { id } = (await apiAs(page, edgeUrl, 'POST', '/api/v1/sessions', {
    viewport: { width: 1280, height: 720 },
  })) as { id: string };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const status = (await apiAs(page, edgeUrl, 'GET', `/api/v1/sessions/${id}/status`)) as {
      state: string;
      runtime_state?: string;
    };
    if (status.runtime_state === 'running') return id;
    if (['failed', 'stopped'].includes(status.state))
      throw new Error(`idle session ${id} is ${status.state}`);
    if (Date.now() > deadline) throw new Error(`idle session ${id} did not start`);
    await sleep(250);
  }
}
