/**
 * Media benchmark (issue 5): a 640×360 video in a text page at 1280×720 (ROI H.264), the same clip
 * full screen, both again in full-frame x264 mode — measured on the wire at a real client (bits/s,
 * delivered video fps) and on the host (agent CPU) — against a CDP screencast (JPEG q80) of the
 * same page in the same run; and desktop audio on the wire, playing and silent (audio-bench.ts
 * measures audio in more detail). Writes test/bench/results/media.json.
 * Usage: node --import tsx test/bench/media-bench.ts [--seconds N] [--help]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { writeTestClip } from '../e2e/support/test-clip.ts';
import { startTestSite } from '../e2e/support/test-site.ts';
import { writeBenchResult } from './results.ts';
import { measureAudio } from './support/audio-measure.ts';
import {
  type BenchSession,
  kbps,
  round,
  screencastDuring,
  sleep,
  startBenchStack,
} from './support/bench-stack.ts';
import { cpuPercentDuring } from './support/proc-cpu.ts';

if (process.argv.includes('--help')) {
  console.log(
    'usage: node --import tsx test/bench/media-bench.ts [--seconds N]   (default 8 s per workload)',
  );
  process.exit(0);
}
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 8;

function log(msg: string): void {
  process.stdout.write(`[media] ${msg}\n`);
}

interface ClientCounters {
  bytesIn: number;
  videoFrames: number;
}

async function counters(page: Page): Promise<ClientCounters> {
  return page.evaluate(() => {
    const client = (
      window as unknown as {
        bpClient: {
          stats(): { bytesIn: number };
          feature(n: string): { stats(): { framesDecoded: number } } | undefined;
        };
      }
    ).bpClient;
    return {
      bytesIn: client.stats().bytesIn,
      videoFrames: client.feature('video')?.stats().framesDecoded ?? 0,
    };
  });
}

/** Client bits/s, delivered video fps and agent CPU while the workload plays for SECONDS. */
async function measure(
  page: Page,
  hostPid: number,
): Promise<{ kbps: number; fps: number; cpu: number }> {
  const before = await counters(page);
  const t0 = performance.now();
  const cpu = await cpuPercentDuring(hostPid, () => sleep(SECONDS * 1000));
  const seconds = (performance.now() - t0) / 1000;
  const after = await counters(page);
  return {
    kbps: kbps(after.bytesIn - before.bytesIn, seconds),
    fps: (after.videoFrames - before.videoFrames) / seconds,
    cpu,
  };
}

async function play(session: BenchSession, url: string, fullscreen = false): Promise<void> {
  await session.page.goto(url);
  await session.page.waitForFunction(() => {
    const v = document.getElementById('clip') as HTMLVideoElement | null;
    return !!v && v.readyState > 2 && !v.paused;
  });
  if (fullscreen) {
    await session.cdp.send('Runtime.evaluate', {
      expression: "document.getElementById('clip').requestFullscreen()",
      userGesture: true,
      awaitPromise: true,
    });
  }
  await sleep(2500); // let the region settle into video
}

async function main(): Promise<void> {
  const clip = await writeTestClip(join(mkdtempSync(join(tmpdir(), 'bp-clip-')), 'clip.webm'));
  const site = await startTestSite({ '/clip.webm': clip });
  log('starting the local stack (host agent as its own process)…');
  const bench = await startBenchStack(log, [site.url]);
  try {
    const page = bench.console;
    const roiSession = await bench.openSession();

    log(`640×360 video in a text page, ROI mode, ${SECONDS} s…`);
    await play(roiSession, `${site.url}/video`);
    const roi = await measure(page, bench.hostPid);
    const roiCast = await screencastDuring(roiSession.cdp, () => sleep(SECONDS * 1000));

    log(`the clip full screen (1280×720), ROI mode, ${SECONDS} s…`);
    await play(roiSession, `${site.url}/video-full`, true);
    const full = await measure(page, bench.hostPid);
    const fullCast = await screencastDuring(roiSession.cdp, () => sleep(SECONDS * 1000));
    await roiSession.page.goto('about:blank');

    const audioSeconds = Math.max(3, Math.round(SECONDS / 2));
    log(`desktop audio: ${audioSeconds} s of tone, then ${audioSeconds} s of silence…`);
    const audio = await measureAudio(
      { client: page, remote: roiSession.page, agentPid: bench.hostPid },
      { seconds: audioSeconds },
    );
    await roiSession.close();

    log(`640×360 video in a text page, full-frame x264 mode, ${SECONDS} s…`);
    const fullFrameSession = await bench.openSession({ videoMode: 'full' });
    await play(fullFrameSession, `${site.url}/video`);
    const fullFrame = await measure(page, bench.hostPid);
    log(`the clip full screen, full-frame x264 mode, ${SECONDS} s…`);
    await play(fullFrameSession, `${site.url}/video-full`, true);
    const fullFrameFull = await measure(page, bench.hostPid);
    await fullFrameSession.close();

    const castKbps = (c: { bytes: number; seconds: number }) => kbps(c.bytes, c.seconds);
    const result = {
      roi_kbps: round(roi.kbps),
      roi_fps: round(roi.fps),
      roi_agent_cpu_pct: round(roi.cpu),
      roi_screencast_kbps: round(castKbps(roiCast)),
      roi_screencast_fps: round(roiCast.frames / roiCast.seconds),
      roi_ratio: round(castKbps(roiCast) / Math.max(roi.kbps, 0.001)),
      fullscreen_kbps: round(full.kbps),
      fullscreen_fps: round(full.fps),
      fullscreen_agent_cpu_pct: round(full.cpu),
      fullscreen_screencast_kbps: round(castKbps(fullCast)),
      fullscreen_screencast_fps: round(fullCast.frames / fullCast.seconds),
      fullframe_x264_kbps: round(fullFrame.kbps),
      fullframe_x264_fps: round(fullFrame.fps),
      fullframe_x264_agent_cpu_pct: round(fullFrame.cpu),
      fullframe_x264_fullscreen_kbps: round(fullFrameFull.kbps),
      fullframe_x264_fullscreen_fps: round(fullFrameFull.fps),
      fullframe_x264_fullscreen_agent_cpu_pct: round(fullFrameFull.cpu),
      audio_kbps: audio.playing.wireKbps,
      audio_silent_kbps: audio.silent.wireKbps,
      audio_agent_cpu_pct: audio.playing.cpu.agent,
      audio_silent_agent_cpu_pct: audio.silent.cpu.agent,
      seconds_per_workload: SECONDS,
    };
    console.table(result);
    log(`wrote ${writeBenchResult('media', result)}`);
  } finally {
    await bench.close();
    await site.close();
  }
}

main().catch((err: Error) => {
  console.error(`[media] failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
