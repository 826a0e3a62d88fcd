/**
 * Desktop audio benchmark (issue 5): a remote page plays a 440 Hz tone, then goes silent; the
 * audio bits per second are measured on the wire at a real client (the console's live view),
 * with the CPU of the host agent and the session's PulseAudio daemon (desktop audio runs no
 * other helper: the sink writes into a FIFO the agent reads).
 * Targets: ≤ 64 kbit/s while playing, 0 while silent.
 * The baseline is what the same sound costs uncompressed: 48 kHz stereo 16-bit PCM, what the
 * session's audio server hands the agent.
 * Usage: node --import tsx test/bench/audio-bench.ts [--seconds N] [--no-write] [--help]
 *   writes test/bench/results/audio.json unless --no-write
 */
import { writeBenchResult } from './results.ts';
import { type AudioWindow, measureAudio } from './support/audio-measure.ts';
import { startBenchStack } from './support/bench-stack.ts';

if (process.argv.includes('--help')) {
  console.log(
    'usage: node --import tsx test/bench/audio-bench.ts [--seconds N] [--no-write]   (default 10 s per window)',
  );
  process.exit(0);
}
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 10;

/** 48 000 samples/s × 2 channels × 16 bits. */
const PCM_KBPS = (48_000 * 2 * 16) / 1000;

function log(msg: string): void {
  process.stdout.write(`[audio] ${msg}\n`);
}

function flat(prefix: string, w: AudioWindow): Record<string, number> {
  return {
    [`${prefix}_wire_kbps`]: w.wireKbps,
    [`${prefix}_payload_kbps`]: w.payloadKbps,
    [`${prefix}_packets_per_s`]: w.packetsPerSecond,
    [`${prefix}_agent_cpu_pct`]: w.cpu.agent,
    [`${prefix}_pulseaudio_cpu_pct`]: w.cpu.pulseaudio,
  };
}

async function main(): Promise<void> {
  log('starting the local stack (host agent in its own process)');
  const bench = await startBenchStack(log);
  try {
    const session = await bench.openSession();
    try {
      log(`measuring ${SECONDS} s of tone, then ${SECONDS} s of silence`);
      const figures = await measureAudio(
        { client: bench.console, remote: session.page, agentPid: bench.hostPid },
        { seconds: SECONDS },
      );
      const result = {
        ...flat('playing', figures.playing),
        playing_max_level_dbfs: figures.playing.maxLevelDbfs,
        ...flat('silent', figures.silent),
        pcm_kbps: PCM_KBPS,
        playing_vs_pcm_ratio:
          Math.round((PCM_KBPS / Math.max(figures.playing.wireKbps, 0.001)) * 10) / 10,
        seconds_per_window: SECONDS,
      };
      console.table(result);
      const ok = figures.playing.wireKbps <= 64 && figures.silent.wireKbps === 0;
      log(
        `${ok ? 'within' : 'OUTSIDE'} targets: ${figures.playing.wireKbps} kbit/s playing (≤ 64), ${figures.silent.wireKbps} kbit/s silent (0)`,
      );
      if (!process.argv.includes('--no-write')) log(`wrote ${writeBenchResult('audio', result)}`);
    } finally {
      await session.close();
    }
  } finally {
    await bench.close();
  }
}

main().catch((err: Error) => {
  console.error(`[audio] failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
