/**
 * Live-view benchmark (issue 4): typing, scrolling and idle at 1280×720 through the whole stack,
 * measured on the wire at a real client (the console's live view), with keystroke-to-pixel latency
 * and the host agent's CPU — and the same workloads as a CDP screencast (JPEG q80, what managed
 * browsers' live views send) in the same run. Writes test/bench/results/liveview.json.
 * Usage: node --import tsx test/bench/liveview-bench.ts [--seconds N] [--help]
 */
import type { Page } from 'playwright-core';
import { displayToPage, waitForQuiet } from '../e2e/support/console-driver.ts';
import { startTestSite } from '../e2e/support/test-site.ts';
import { percentile, writeBenchResult } from './results.ts';
import { kbps, round, screencastDuring, sleep, startBenchStack } from './support/bench-stack.ts';
import { instrumentKeyLatency as instrument, typeFor } from './support/key-latency.ts';
import { cpuPercentDuring } from './support/proc-cpu.ts';

if (process.argv.includes('--help')) {
  console.log(
    'usage: node --import tsx test/bench/liveview-bench.ts [--seconds N]   (default 10 s per workload)',
  );
  process.exit(0);
}
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 10;
function log(msg: string): void {
  process.stdout.write(`[liveview] ${msg}\n`);
}

async function scrollFor(page: Page, seconds: number, at: { x: number; y: number }): Promise<void> {
  await page.mouse.move(at.x, at.y);
  const until = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < until; i++) {
    await page.mouse.wheel(0, i % 40 < 20 ? 100 : -100);
    await page.waitForTimeout(100);
  }
}

/** Bytes/s at the client and the agent's CPU while `work` runs. */
async function measure(
  probe: Awaited<ReturnType<typeof instrument>>,
  hostPid: number,
  work: () => Promise<void>,
) {
  const b0 = await probe.bytesIn();
  const t0 = performance.now();
  const cpu = await cpuPercentDuring(hostPid, work);
  return { kbps: kbps((await probe.bytesIn()) - b0, (performance.now() - t0) / 1000), cpu };
}

async function main(): Promise<void> {
  const site = await startTestSite();
  log('starting the local stack (host agent as its own process)…');
  const bench = await startBenchStack(log, [site.url]);
  try {
    const page = bench.console;
    const session = await bench.openSession();
    await session.page.goto(`${site.url}/`);
    await session.page.evaluate(() => document.getElementById('box')?.focus());
    await waitForQuiet(page, 1500);
    const probe = await instrument(page);

    log(`idle ${SECONDS} s…`);
    const idle = await measure(probe, bench.hostPid, () => sleep(SECONDS * 1000));
    const idleCast = await screencastDuring(session.cdp, () => sleep(SECONDS * 1000));

    log(`typing ${SECONDS} s (12 chars/s)…`);
    await page.evaluate(() =>
      (window as unknown as { bpClient: { focus(): void } }).bpClient.focus(),
    );
    await probe.latencies();
    const typing = await measure(probe, bench.hostPid, () => typeFor(page, SECONDS));
    const latencies = await probe.latencies();
    await waitForQuiet(page, 1000);
    const typingCast = await screencastDuring(session.cdp, () => typeFor(page, SECONDS));

    log(`scrolling ${SECONDS} s (10 notches/s)…`);
    await session.page.goto(`${site.url}/article`);
    const over = await displayToPage(page, 640, 500);
    await waitForQuiet(page, 1000);
    const scrolling = await measure(probe, bench.hostPid, () => scrollFor(page, SECONDS, over));
    await waitForQuiet(page, 1000);
    const scrollCast = await screencastDuring(session.cdp, () => scrollFor(page, SECONDS, over));

    const castKbps = (c: { bytes: number; seconds: number }) => kbps(c.bytes, c.seconds);
    const result = {
      typing_kbps: round(typing.kbps),
      typing_screencast_kbps: round(castKbps(typingCast)),
      typing_ratio: round(castKbps(typingCast) / Math.max(typing.kbps, 0.001)),
      scrolling_kbps: round(scrolling.kbps),
      scrolling_screencast_kbps: round(castKbps(scrollCast)),
      scrolling_ratio: round(castKbps(scrollCast) / Math.max(scrolling.kbps, 0.001)),
      idle_kbps: round(idle.kbps, 2),
      idle_screencast_kbps: round(castKbps(idleCast), 2),
      key_to_pixel_p50_ms: round(percentile(latencies, 50)),
      key_to_pixel_p95_ms: round(percentile(latencies, 95)),
      key_to_pixel_samples: latencies.length,
      agent_idle_cpu_pct: round(idle.cpu, 2),
      agent_typing_cpu_pct: round(typing.cpu),
      agent_scrolling_cpu_pct: round(scrolling.cpu),
      screencast_typing_fps: round(typingCast.frames / typingCast.seconds),
      screencast_scrolling_fps: round(scrollCast.frames / scrollCast.seconds),
      seconds_per_workload: SECONDS,
    };
    console.table(result);
    log(`wrote ${writeBenchResult('liveview', result)}`);
    await session.close();
  } finally {
    await bench.close();
    await site.close();
  }
}

main().catch((err: Error) => {
  console.error(`[liveview] failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
