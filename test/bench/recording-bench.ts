/**
 * Recording benchmark (issue 13): what a session recording costs — the recording worker's CPU and
 * the bytes per minute of its WebM — while typing, scrolling and playing a video at 1280×720, and
 * the same workloads recorded the way the wb runtime and most peers do it, a CDP screencast
 * (JPEG) encoded to VP9 (the wb runtime's own encoder), in the same run. Writes
 * test/bench/results/recording.json.
 * Usage: node --import tsx test/bench/recording-bench.ts [--seconds N] [--help]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { WebmEncoder } from '../../workers/wb-browser-runtime/src/recording/webm-encoder.ts';
import { displayToPage, waitForQuiet } from '../e2e/support/console-driver.ts';
import { writeTestClip } from '../e2e/support/test-clip.ts';
import { startTestSite } from '../e2e/support/test-site.ts';
import { writeBenchResult } from './results.ts';
import { apiAs } from './support/api.ts';
import { kbps, round, sleep, startBenchStack } from './support/bench-stack.ts';
import { cpuSeconds } from './support/proc-cpu.ts';

if (process.argv.includes('--help')) {
  console.log(
    'usage: node --import tsx test/bench/recording-bench.ts [--seconds N]   (default 15 s per workload)',
  );
  process.exit(0);
}
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 15;
/** The baseline's frame rate: the recording worker's default (RECORDING_FPS). */
const FPS = 15;
const TEXT =
  'The quick brown fox jumps over the lazy dog while the remote browser keeps every glyph sharp. ';

function log(msg: string): void {
  process.stdout.write(`[recording] ${msg}\n`);
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

/** What a recording worker reports when it stored a recording: where its bytes and time went. */
interface StoredReport {
  frames: number;
  keyFrames: number;
  keyBytes: number;
  interFrames: number;
  interBytes: number;
  convertMs: number;
  encodeMs: number;
  composeMs: number;
  /** Frames that repeat a still picture (at least one every 500 ms, so players keep time). */
  holdFrames: number;
}

/** Collects the recording workers' "recording stored" reports from the host agent's log lines. */
function storedReports() {
  const reports: StoredReport[] = [];
  return {
    hostLog(line: string): void {
      if (!line.includes('recording stored')) return;
      try {
        const event = JSON.parse(line) as { msg?: string; detail?: StoredReport };
        if (event.msg?.endsWith('recording stored') && event.detail) reports.push(event.detail);
      } catch {
        // not a JSON line
      }
    },
    async next(): Promise<StoredReport> {
      const deadline = Date.now() + 10_000;
      while (!reports.length && Date.now() < deadline) await sleep(100);
      const report = reports.shift();
      if (!report) throw new Error('the recording worker did not log "recording stored"');
      return report;
    },
  };
}

/** The recording worker the host agent started (a child of `hostPid` running recording-worker). */
async function recorderPid(hostPid: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== hostPid) continue;
        if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('recording-worker'))
          return Number(entry);
      } catch {
        // gone
      }
    }
    await sleep(200);
  }
  throw new Error('no recording worker appeared');
}

/** The same workload recorded as CDP screencast JPEGs → VP9 WebM in this process. */
async function screencastRecording(cdp: CDPSession, dir: string, work: () => Promise<void>) {
  const path = join(dir, `screencast-${Date.now()}.webm`);
  const encoder = new WebmEncoder(path, FPS);
  let last = '';
  const onFrame = (f: { data: string; sessionId: number }) => {
    void cdp.send('Page.screencastFrameAck', { sessionId: f.sessionId }).catch(() => undefined);
    if (f.data === last) return;
    last = f.data;
    encoder.push(Buffer.from(f.data, 'base64'), performance.now());
  };
  cdp.on('Page.screencastFrame', onFrame);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await cdp.send('Page.startScreencast', { format: 'jpeg', quality: 80, everyNthFrame: 1 });
  await work();
  await cdp.send('Page.stopScreencast');
  cdp.off('Page.screencastFrame', onFrame);
  const seconds = (performance.now() - t0) / 1000;
  await encoder.finish(performance.now());
  const used = process.cpuUsage(cpu0);
  const cpuPct = ((used.user + used.system) / 1e6 / seconds) * 100;
  const bytes = statSync(path).size;
  rmSync(path, { force: true });
  return { kbps: kbps(bytes, seconds), cpuPct, seconds };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bp-rec-bench-'));
  const clip = await writeTestClip(join(dir, 'clip.webm'));
  const site = await startTestSite({ '/clip.webm': clip });
  log('starting the local stack (host agent as its own process)…');
  const reports = storedReports();
  const bench = await startBenchStack(log, [site.url], reports.hostLog);
  try {
    const page = bench.console;
    const session = await bench.openSession({ create: { recording: { mode: 'manual' } } });
    const api = (method: string, path: string) => apiAs(page, bench.stack.url, method, path);
    const base = `/api/v1/sessions/${session.id}/recordings`;

    /** Records `work` with the recording worker: its CPU, this process's CPU, the file's rate. */
    const recorded = async (name: string, work: () => Promise<void>) => {
      const started = (await api('POST', base)) as { id: string };
      const pid = await recorderPid(bench.hostPid);
      const deadline = Date.now() + 30_000;
      while (
        ((await api('GET', `${base}/${started.id}`)) as { state: string }).state !== 'recording'
      ) {
        if (Date.now() > deadline) throw new Error('the recording did not start');
        await sleep(250);
      }
      await sleep(1000);
      const cpu0 = cpuSeconds(pid);
      const own0 = process.cpuUsage();
      const t0 = performance.now();
      await work();
      const seconds = (performance.now() - t0) / 1000;
      const cpuPct = ((cpuSeconds(pid) - cpu0) / seconds) * 100;
      const own = process.cpuUsage(own0);
      await api('POST', `${base}/${started.id}/stop`);
      let done: { state: string; bytes: number | null; duration_ms: number | null };
      for (;;) {
        done = (await api('GET', `${base}/${started.id}`)) as typeof done;
        if (done.state === 'ready' || done.state === 'failed') break;
        await sleep(500);
      }
      if (done.state !== 'ready') throw new Error('the recording failed');
      const report = await reports.next();
      const recordedSeconds = (done.duration_ms ?? 1) / 1000;
      const perFrame = (ms: number) => round(ms / Math.max(1, report.frames));
      log(
        `${name}: ${report.frames} frames; ${report.keyFrames} keyframes, ${round(report.keyBytes / 1024)} KB; ` +
          `${report.interFrames} inter frames, ${round(report.interBytes / 1024)} KB ` +
          `(${round(report.interBytes / Math.max(1, report.interFrames))} B each); per frame: ` +
          `compose ${perFrame(report.composeMs)} ms, convert ${perFrame(report.convertMs)} ms, encode ${perFrame(report.encodeMs)} ms`,
      );
      return {
        report,
        seconds: recordedSeconds,
        kbps: kbps(done.bytes ?? 0, recordedSeconds),
        cpuPct,
        driverCpuPct: ((own.user + own.system) / 1e6 / seconds) * 100,
      };
    };

    await session.page.goto(`${site.url}/`);
    await session.page.evaluate(() => document.getElementById('box')?.focus());
    await waitForQuiet(page, 1500);
    await page.evaluate(() =>
      (window as unknown as { bpClient: { focus(): void } }).bpClient.focus(),
    );
    log(`typing ${SECONDS} s, recorded by the recording worker…`);
    const typing = await recorded('typing', () => typeFor(page, SECONDS));
    log(`typing ${SECONDS} s, CDP screencast → VP9…`);
    const typingCast = await screencastRecording(session.cdp, dir, () => typeFor(page, SECONDS));

    await session.page.goto(`${site.url}/article`);
    const over = await displayToPage(page, 640, 500);
    await waitForQuiet(page, 1000);
    log(`scrolling ${SECONDS} s…`);
    const scrolling = await recorded('scrolling', () => scrollFor(page, SECONDS, over));
    const scrollCast = await screencastRecording(session.cdp, dir, () =>
      scrollFor(page, SECONDS, over),
    );

    // A still page: the relay sends nothing; the file gets only hold frames.
    await waitForQuiet(page, 1000);
    log(`a still page ${SECONDS} s…`);
    const idle = await recorded('idle', () => sleep(SECONDS * 1000));

    await session.page.goto(`${site.url}/video`);
    await session.page.waitForFunction(() => {
      const v = document.getElementById('clip') as HTMLVideoElement;
      return v.readyState > 2 && !v.paused;
    });
    log(`a playing video ${SECONDS} s…`);
    const video = await recorded('video', () => sleep(SECONDS * 1000));
    const videoCast = await screencastRecording(session.cdp, dir, () => sleep(SECONDS * 1000));

    // The screencast's encoder runs in this process: its CPU beyond what driving the workload costs.
    const castCpu = (c: { cpuPct: number }, driver: { driverCpuPct: number }) =>
      Math.max(0, c.cpuPct - driver.driverCpuPct);
    const result = {
      recording_typing_kbps: round(typing.kbps),
      recording_scrolling_kbps: round(scrolling.kbps),
      recording_video_kbps: round(video.kbps),
      recording_typing_kb_per_min: round((typing.kbps * 60) / 8),
      // what stillness costs beyond the recording's first keyframe (the picture itself)
      recording_idle_kbps: round((idle.report.interBytes * 8) / 1000 / idle.seconds),
      recording_idle_hold_frame_bytes: round(
        idle.report.interBytes / Math.max(1, idle.report.interFrames),
      ),
      recording_idle_cpu_pct: round(idle.cpuPct),
      recording_idle_hold_frames_per_s: round(idle.report.holdFrames / SECONDS),
      recording_cpu_pct: round(typing.cpuPct),
      recording_scrolling_cpu_pct: round(scrolling.cpuPct),
      recording_video_cpu_pct: round(video.cpuPct),
      screencast_vp9_typing_kbps: round(typingCast.kbps),
      screencast_vp9_scrolling_kbps: round(scrollCast.kbps),
      screencast_vp9_video_kbps: round(videoCast.kbps),
      screencast_vp9_typing_cpu_pct: round(castCpu(typingCast, typing)),
      screencast_vp9_scrolling_cpu_pct: round(castCpu(scrollCast, scrolling)),
      screencast_vp9_video_cpu_pct: round(castCpu(videoCast, video)),
      recording_typing_keyframes: typing.report.keyFrames,
      recording_typing_keyframe_kb: round(typing.report.keyBytes / 1024),
      recording_typing_inter_frames: typing.report.interFrames,
      recording_typing_inter_frame_bytes: round(
        typing.report.interBytes / Math.max(1, typing.report.interFrames),
      ),
      typing_size_ratio: round(typingCast.kbps / Math.max(typing.kbps, 0.001)),
      seconds_per_workload: SECONDS,
      fps: FPS,
    };
    console.table(result);
    log(`wrote ${writeBenchResult('recording', result)}`);
    await session.close();
  } finally {
    await bench.close();
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
