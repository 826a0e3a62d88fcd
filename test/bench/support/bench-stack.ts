import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type CDPSession,
  chromium,
  type Page,
} from 'playwright-core';
import { type LocalStack, startLocalStack } from '../../../deploy/local/stack.ts';
import { freePort } from '../../../edge/local/index.ts';
import { launchClientBrowser } from '../../e2e/support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  signIn,
  startSession,
  waitForFrames,
} from '../../e2e/support/console-driver.ts';
import { apiAs, automationTicket } from './api.ts';

export interface BenchStack {
  readonly stack: LocalStack;
  readonly hostPid: number;
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** The signed-in console page (its live view is the measured client). */
  readonly console: Page;
  /** Starts a session from the console and attaches automation to its page through the gateway. */
  openSession(options?: {
    videoMode?: 'roi' | 'full' | 'off';
    /** More fields of the create request (e.g. `recording`). */
    create?: Record<string, unknown>;
  }): Promise<BenchSession>;
  close(): Promise<void>;
}

export interface BenchSession {
  readonly id: string;
  /** The remote browser's page, driven over the CDP gateway. */
  readonly page: Page;
  readonly remote: Browser;
  /** A CDP session on the remote page (screencast baseline). */
  readonly cdp: CDPSession;
  close(): Promise<void>;
}

/**
 * The local stack as benchmarks need it: the host agent in its own process (so its CPU is its
 * own), a signed-in console in a real browser as the measured client, and automation attached to
 * the session through the CDP gateway to open pages and run the screencast baseline.
 */
export async function startBenchStack(
  log: (line: string) => void,
  /** Page servers on this machine's loopback the session's browser opens (let through its sandbox). */
  sites: readonly string[] = [],
  /** Every log line of the host agent (JSON), e.g. to read what its recording workers report. */
  hostLog?: (line: string) => void,
  /** Room on the host (`HOST_MAX_SESSIONS`, and the user's session quota to match). */
  options: { maxSessions?: number } = {},
): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bp-bench-'));
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    relayPort: await freePort(),
    plainPort: await freePort(),
    host: 'child',
    // no runtime started ahead: the figures of these benches are of the session alone
    hostWarmRuntimes: 0,
    ...(options.maxSessions
      ? {
          hostMaxSessions: options.maxSessions,
          edgeVars: { MAX_SESSIONS_PER_USER: String(options.maxSessions) },
        }
      : {}),
    say: log,
    ...(hostLog ? { hostLog } : {}),
    sandboxAllowPorts: sites.map((url) => Number(new URL(url).port)),
  });
  const hostPid = stack.hostProcess?.pid();
  if (!hostPid) throw new Error('no host agent process');
  const browser = await launchClientBrowser();
  const context = await browser.newContext({ viewport: CONSOLE_VIEWPORT });
  const page = await context.newPage();
  await signIn(page, stack.url);
  const attach = async (id: string): Promise<BenchSession> => {
    const ticket = await automationTicket(page, stack.url, id);
    const remote = await chromium.connectOverCDP(
      `http://127.0.0.1:${stack.plainPort}/sessions/${id}/cdp?ticket=${encodeURIComponent(ticket)}`,
    );
    const context0 = remote.contexts()[0];
    if (!context0) throw new Error('remote browser has no context');
    const remotePage =
      context0.pages().find((p) => !p.url().startsWith('devtools')) ?? (await context0.newPage());
    const cdp = await context0.newCDPSession(remotePage);
    return {
      id,
      page: remotePage,
      remote,
      cdp,
      close: () => remote.close().catch(() => undefined),
    };
  };
  return {
    stack,
    hostPid,
    browser,
    context,
    console: page,
    async openSession(options = {}) {
      if ((!options.videoMode || options.videoMode === 'roi') && !options.create)
        return attach(await startSession(page));
      const created = (await apiAs(page, stack.url, 'POST', '/api/v1/sessions', {
        viewport: { width: 1280, height: 720 },
        video_mode: options.videoMode ?? 'roi',
        ...options.create,
      })) as { id: string };
      await page.goto(`${stack.url}/?session=${created.id}`);
      await waitForFrames(page);
      return attach(created.id);
    },
    async close() {
      await browser.close();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Bytes of screencast JPEGs Chromium sends while `work` runs (frames acked at once). */
export async function screencastDuring(
  cdp: CDPSession,
  work: () => Promise<void>,
): Promise<{ bytes: number; frames: number; seconds: number }> {
  let bytes = 0;
  let frames = 0;
  const onFrame = (f: { data: string; sessionId: number }) => {
    bytes += Math.floor((f.data.length * 3) / 4);
    frames++;
    void cdp.send('Page.screencastFrameAck', { sessionId: f.sessionId }).catch(() => undefined);
  };
  cdp.on('Page.screencastFrame', onFrame);
  await cdp.send('Page.startScreencast', { format: 'jpeg', quality: 80, everyNthFrame: 1 });
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  await cdp.send('Page.stopScreencast');
  cdp.off('Page.screencastFrame', onFrame);
  return { bytes, frames, seconds };
}

export const kbps = (bytes: number, seconds: number): number => (bytes * 8) / seconds / 1000;
export const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
