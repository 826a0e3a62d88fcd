/**
 * Live-view benchmark (issue 4): typing, scrolling and idle at 1280×720 through the whole stack,
 * measured on the wire at a real client (the console's live view), with keystroke-to-pixel latency
 * and the host agent's CPU — and the same workloads as a CDP screencast (JPEG q80, what managed
 * browsers' live views send) in the same run. Writes test/bench/results/liveview.json.
 * Usage: node --import tsx test/bench/liveview-bench.ts [--seconds N] [--help]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { startLocalStack } from '../../deploy/local/stack.ts';
import { freePort } from '../../edge/src/local/index.ts';
import { launchClientBrowser } from '../e2e/support/browser.ts';
import {
  displayToPage,
  signIn,
  startSession,
  waitForQuiet,
} from '../e2e/support/console-driver.ts';
import { startTestSite } from '../e2e/support/test-site.ts';
import { percentile, writeBenchResult } from './results.ts';
import { automationTicket } from './support/api.ts';
import { cpuPercentDuring } from './support/proc-cpu.ts';

if (process.argv.includes('--help')) {
  console.log(
    'usage: node --import tsx test/bench/liveview-bench.ts [--seconds N]   (default 10 s per workload)',
  );
  process.exit(0);
}
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 10;
const TEXT =
  'The quick brown fox jumps over the lazy dog while the remote browser keeps every glyph sharp. ';

interface ClientProbe {
  bytesIn(): Promise<number>;
  latencies(): Promise<number[]>;
}

function log(msg: string): void {
  process.stdout.write(`[liveview] ${msg}\n`);
}

/** Per-keystroke latency: from the keydown the live view sends to the next frame it presents. */
async function instrument(page: Page): Promise<ClientProbe> {
  await page.evaluate(() => {
    const w = window as unknown as {
      bpClient: { on(l: (e: { type: string }) => void): void };
      __lat: number[];
      __key: number | null;
    };
    w.__lat = [];
    w.__key = null;
    document.querySelector('.bp-input')?.addEventListener(
      'keydown',
      () => {
        w.__key = performance.now();
      },
      true,
    );
    w.bpClient.on((e) => {
      if (e.type === 'frame' && w.__key !== null) {
        w.__lat.push(performance.now() - w.__key);
        w.__key = null;
      }
    });
  });
  return {
    bytesIn: () =>
      page.evaluate(
        () =>
          (window as unknown as { bpClient: { stats(): { bytesIn: number } } }).bpClient.stats()
            .bytesIn,
      ),
    latencies: () =>
      page.evaluate(() => (window as unknown as { __lat: number[] }).__lat.splice(0)),
  };
}

async function typeFor(page: Page, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < until; i++)
    await page.keyboard.type(TEXT[i % TEXT.length] as string, { delay: 80 });
}

async function scrollFor(page: Page, seconds: number, at: { x: number; y: number }): Promise<void> {
  await page.mouse.move(at.x, at.y);
  const until = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < until; i++) {
    await page.mouse.wheel(0, i % 40 < 20 ? 100 : -100);
    await page.waitForTimeout(100);
  }
}

/** Bytes of screencast JPEGs Chromium sends while `work` runs (frames acked at once). */
async function screencastDuring(
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

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bp-bench-liveview-'));
  const site = await startTestSite();
  log('starting the local stack (host agent as its own process)…');
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    relayPort: await freePort(),
    plainPort: await freePort(),
    host: 'child',
    say: (l) => log(l),
  });
  const hostPid = stack.hostProcess?.pid();
  if (!hostPid) throw new Error('no host agent process');
  let browser: (Browser & { cleanup(): void }) | undefined;
  let remote: Browser | undefined;
  try {
    browser = await launchClientBrowser();
    const context = await browser.newContext({ viewport: { width: 1540, height: 816 } });
    const page = await context.newPage();
    await signIn(page, stack.url);
    const sessionId = await startSession(page);

    // automation (the CDP gateway) opens the test page and runs the screencast baseline
    const ticket = await automationTicket(page, stack.url, sessionId);
    const gateway = `http://127.0.0.1:${stack.plainPort}/sessions/${sessionId}/cdp?ticket=${encodeURIComponent(ticket)}`;
    remote = await chromium.connectOverCDP(gateway);
    const remotePage =
      remote
        .contexts()[0]
        ?.pages()
        .find((p) => !p.url().startsWith('devtools')) ?? (await remote.contexts()[0]?.newPage());
    if (!remotePage) throw new Error('no remote page');
    await remotePage.goto(`${site.url}/`);
    await remotePage.evaluate(() => document.getElementById('box')?.focus());
    await waitForQuiet(page, 1500);
    const probe = await instrument(page);
    const cdp = await remotePage.context().newCDPSession(remotePage);

    log(`idle ${SECONDS} s…`);
    let b0 = await probe.bytesIn();
    let t0 = performance.now();
    const idleCpu = await cpuPercentDuring(
      hostPid,
      () => new Promise((r) => setTimeout(r, SECONDS * 1000)),
    );
    const idleKbps =
      (((await probe.bytesIn()) - b0) * 8) / ((performance.now() - t0) / 1000) / 1000;
    const idleCast = await screencastDuring(
      cdp,
      () => new Promise((r) => setTimeout(r, SECONDS * 1000)),
    );

    log(`typing ${SECONDS} s (12 chars/s)…`);
    await page.evaluate(() =>
      (window as unknown as { bpClient: { focus(): void } }).bpClient.focus(),
    );
    await probe.latencies();
    b0 = await probe.bytesIn();
    t0 = performance.now();
    const typingCpu = await cpuPercentDuring(hostPid, () => typeFor(page, SECONDS));
    const typingKbps =
      (((await probe.bytesIn()) - b0) * 8) / ((performance.now() - t0) / 1000) / 1000;
    const latencies = await probe.latencies();
    await waitForQuiet(page, 1000);
    const typingCast = await screencastDuring(cdp, () => typeFor(page, SECONDS));

    log(`scrolling ${SECONDS} s (10 notches/s)…`);
    await remotePage.goto(`${site.url}/article`);
    const over = await displayToPage(page, 640, 500);
    await waitForQuiet(page, 1000);
    b0 = await probe.bytesIn();
    t0 = performance.now();
    const scrollCpu = await cpuPercentDuring(hostPid, () => scrollFor(page, SECONDS, over));
    const scrollKbps =
      (((await probe.bytesIn()) - b0) * 8) / ((performance.now() - t0) / 1000) / 1000;
    await waitForQuiet(page, 1000);
    const scrollCast = await screencastDuring(cdp, () => scrollFor(page, SECONDS, over));

    const kbps = (c: { bytes: number; seconds: number }) => (c.bytes * 8) / c.seconds / 1000;
    const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
    const result = {
      typing_kbps: round(typingKbps),
      typing_screencast_kbps: round(kbps(typingCast)),
      typing_ratio: round(kbps(typingCast) / Math.max(typingKbps, 0.001)),
      scrolling_kbps: round(scrollKbps),
      scrolling_screencast_kbps: round(kbps(scrollCast)),
      scrolling_ratio: round(kbps(scrollCast) / Math.max(scrollKbps, 0.001)),
      idle_kbps: round(idleKbps, 2),
      idle_screencast_kbps: round(kbps(idleCast), 2),
      key_to_pixel_p50_ms: round(percentile(latencies, 50)),
      key_to_pixel_p95_ms: round(percentile(latencies, 95)),
      key_to_pixel_samples: latencies.length,
      agent_idle_cpu_pct: round(idleCpu, 2),
      agent_typing_cpu_pct: round(typingCpu),
      agent_scrolling_cpu_pct: round(scrollCpu),
      screencast_typing_fps: round(typingCast.frames / typingCast.seconds),
      screencast_scrolling_fps: round(scrollCast.frames / scrollCast.seconds),
      seconds_per_workload: SECONDS,
    };
    console.table(result);
    log(`wrote ${writeBenchResult('liveview', result)}`);
  } finally {
    await remote?.close().catch(() => undefined);
    await browser?.close();
    await stack.stop();
    await site.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`[liveview] failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
