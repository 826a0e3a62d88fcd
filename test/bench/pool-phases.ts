/**
 * Where create → first picture spends its time: the console's own requests (read from the page's
 * Resource Timing entries) and the host agent's log lines (each carries its time), both on this
 * machine's clock, as milliseconds after the click.
 */
import type { Page } from 'playwright-core';

/** Milliseconds after the click at which each step was seen (absent: not seen this round). */
export interface Phases {
  /** The console got the create answer (the session is placed or queued at the edge). */
  created?: number;
  /** The host agent learned of the session (its reconcile began starting it). */
  host_learned?: number;
  /** The host had its runtime: taken from the warm pool, or started cold (Xvfb + Chromium). */
  host_runtime?: number;
  /** Capture, input and the hub attached: the session runs on the host. */
  host_running?: number;
  /** The console saw the session running (its status answer said so). */
  status_ready?: number;
  /** The console had the connect ticket it connects with. */
  ticket?: number;
  /** The relay admitted the client (participant joined). */
  joined?: number;
  /** The page had its SDK client (the relay answered its hello). */
  connected?: number;
  /** The first frame was presented. */
  first_frame?: number;
  /** The first picture: its decode time in the page, tiles decoded, bytes received. */
  first_decode?: number;
  first_tiles?: number;
  first_kib?: number;
  /** How many status polls and ticket mints the console made. */
  status_polls?: number;
  ticket_mints?: number;
}

interface HostLine {
  time: number;
  msg: string;
  sessionId?: string;
  steps?: Record<string, number>;
}

/** Collects the host agent's JSON log lines (pass `push` as the stack's hostLog). */
export class HostLogTap {
  private lines: HostLine[] = [];

  push = (line: string): void => {
    try {
      const j = JSON.parse(line) as HostLine & { time?: string };
      if (j.time && j.msg)
        this.lines.push({
          time: Date.parse(j.time),
          msg: j.msg,
          ...(j.sessionId ? { sessionId: j.sessionId } : {}),
          ...(j.steps ? { steps: j.steps } : {}),
        });
    } catch {
      // not a log line (a browser's own output)
    }
    if (this.lines.length > 5000) this.lines.splice(0, 2500);
  };

  /**
   * How long each step took on the host: of the session's attach ("session attached") or of its
   * cold start ("runtime started").
   */
  steps(sessionId: string, msg = 'session attached'): Record<string, number> | undefined {
    return this.lines.find((l) => l.sessionId === sessionId && l.msg === msg)?.steps;
  }

  /** The first line with this message about this session, at or after `since`. */
  first(sessionId: string, msg: string, since: number): number | undefined {
    return this.lines.find((l) => l.sessionId === sessionId && l.msg === msg && l.time >= since)
      ?.time;
  }
}

/** Clears the page's resource timings (before a round). */
export async function resetPageTimings(page: Page): Promise<void> {
  await page.evaluate(() => {
    performance.setResourceTimingBufferSize(5000);
    performance.clearResourceTimings();
  });
}

/** The round's phases, relative to `t0` (the click, epoch ms). */
export async function readPhases(
  page: Page,
  host: HostLogTap,
  sessionId: string,
  t0: number,
  firstFrameAt: number,
  warm: boolean,
): Promise<Phases> {
  const { requests, connectedAt, first } = await page.evaluate(() => ({
    requests: performance.getEntriesByType('resource').map((e) => ({
      url: e.name,
      end: performance.timeOrigin + (e as PerformanceResourceTiming).responseEnd,
    })),
    connectedAt: (window as { bpConnectedAt?: number }).bpConnectedAt,
    first: (
      window as {
        bpClient?: {
          stats(): { lastDecodeMs: number; tilesDecoded: number; bytesIn: number };
        };
      }
    ).bpClient?.stats(),
  }));
  const path = (u: string) => new URL(u).pathname;
  const of = (suffix: string) =>
    requests.filter((r) => path(r.url) === `/api/v1/sessions${suffix}`).map((r) => r.end);
  const rel = (t: number | undefined) => (t === undefined ? undefined : Math.round(t - t0));
  const created = of('')[0];
  const statuses = of(`/${sessionId}/status`);
  const mints = of(`/${sessionId}/access-tokens`);
  const runtimeMsg = warm ? 'session takes a warm runtime' : 'session runtime started';
  const phases: Phases = {
    created: rel(created),
    host_learned: rel(host.first(sessionId, 'starting session', t0)),
    host_runtime: rel(host.first(sessionId, runtimeMsg, t0)),
    host_running: rel(host.first(sessionId, 'session running', t0)),
    status_ready: rel(statuses.at(-1)),
    ticket: rel(mints.at(-1)),
    joined: rel(host.first(sessionId, 'participant joined', t0)),
    connected: rel(connectedAt),
    first_frame: rel(firstFrameAt),
    first_decode: first ? Math.round(first.lastDecodeMs) : undefined,
    first_tiles: first?.tilesDecoded,
    first_kib: first ? Math.round(first.bytesIn / 1024) : undefined,
    status_polls: statuses.length,
    ticket_mints: mints.length,
  };
  return Object.fromEntries(Object.entries(phases).filter(([, v]) => v !== undefined)) as Phases;
}

/** The median of each phase over the rounds, as flat bench keys (`<prefix>_<phase>_ms`). */
export function phaseMedians(prefix: string, rounds: Phases[]): Record<string, number> {
  const out: Record<string, number> = {};
  const keys = new Set(rounds.flatMap((r) => Object.keys(r))) as Set<keyof Phases>;
  for (const key of keys) {
    const values = rounds.map((r) => r[key]).filter((v): v is number => v !== undefined);
    if (!values.length) continue;
    const sorted = values.sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)] as number;
    const count = ['status_polls', 'ticket_mints', 'first_tiles', 'first_kib'].includes(key);
    out[`${prefix}_${count ? key : `${key}_ms`}`] = median;
  }
  return out;
}
