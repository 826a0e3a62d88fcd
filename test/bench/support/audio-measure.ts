import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import { OUT_SINK, pulseClientEnv, pulsePaths } from '../../../host-pool/src/audio/pulse-config.ts';
import { cpuSeconds } from './proc-cpu.ts';

/** The running session to measure, as the e2e fixtures and benchmarks hold it. */
export interface AudioMeasureTarget {
  /** A console page whose live view (`window.bpClient`) is granted `audioOut`. */
  readonly client: Page;
  /** Any page of the session's remote browser (Playwright over the session's DevTools port). */
  readonly remote: Page;
  /** The host agent's pid (default: this process, i.e. the in-process host of the fixtures). */
  readonly agentPid?: number;
}

export interface AudioWindow {
  readonly seconds: number;
  readonly packets: number;
  /** Audio frames as received by the client (framing + fields + Opus), kbit/s. */
  readonly wireKbps: number;
  /** Opus payload only, kbit/s. */
  readonly payloadKbps: number;
  readonly packetsPerSecond: number;
  /** Loudest decoded block in the window, dBFS (−Infinity when nothing arrived). */
  readonly maxLevelDbfs: number;
  /** CPU, percent of one core, while the window ran. */
  readonly cpu: { readonly agent: number; readonly pulseaudio: number };
}

export interface AudioFigures {
  readonly playing: AudioWindow;
  readonly silent: AudioWindow;
}

interface ClientAudioStats {
  packets: number;
  wireBytes: number;
  payloadBytes: number;
  maxLevelDbfs: number;
}

/** A page that plays a 440 Hz sine at −12 dBFS peak after a click (browsers need the gesture). */
const TONE_PAGE = `<!doctype html><title>tone</title>
<button id="play" style="font-size:24px">play</button><button id="stop" style="font-size:24px">stop</button>
<script>
let ctx;
document.getElementById('play').onclick = async () => {
  ctx = new AudioContext();
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.frequency.value = 440;
  gain.gain.value = 0.25;
  osc.connect(gain).connect(ctx.destination);
  osc.start();
  await ctx.resume();
  document.title = 'playing';
};
document.getElementById('stop').onclick = async () => { await ctx?.close(); document.title = 'stopped'; };
</script>`;

/** Every process now: pid → its parent and command name, from /proc. */
function processTable(): Map<number, { ppid: number; comm: string }> {
  const table = new Map<number, { ppid: number; comm: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      table.set(Number(entry), { ppid, comm });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/**
 * Child processes of `parent` (pid → command name), from /proc. A child the agent runs in its
 * session sandbox is bubblewrap, whose reaper runs the program: that program counts as the child.
 */
export function childProcesses(parent: number = process.pid): Map<number, string> {
  const table = processTable();
  const children = (of: number) => [...table].filter(([, p]) => p.ppid === of);
  const found = new Map<number, string>();
  for (const [pid, { comm }] of children(parent)) {
    if (comm !== 'bwrap') found.set(pid, comm);
    else
      for (const [reaper] of children(pid))
        for (const [program, p] of children(reaper)) found.set(program, p.comm);
  }
  return found;
}

/**
 * The agent's audio helpers now: its `pulseaudio` daemons (one per session), and any other
 * child it runs for audio (`pacat` while a microphone plays; desktop audio needs none).
 */
export function audioProcesses(agentPid: number = process.pid): {
  pulseaudio: number[];
  pacat: number[];
} {
  const children = [...childProcesses(agentPid).entries()];
  const named = (name: string) => children.filter(([, c]) => c === name).map(([p]) => p);
  return { pulseaudio: named('pulseaudio'), pacat: named('pacat') };
}

/**
 * The state of each session's output sink (`RUNNING` while something plays, `IDLE`, then
 * `SUSPENDED`: rendering and writing nothing), asked of the agent's daemons with `pactl`.
 */
export function outputSinkStates(agentPid: number = process.pid): string[] {
  return audioProcesses(agentPid).pulseaudio.map((pid) => {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const script = args[args.indexOf('-F') + 1] ?? '';
    const listing = execFileSync('pactl', ['list', 'short', 'sinks'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ...pulseClientEnv(pulsePaths(dirname(script))),
      },
      encoding: 'utf8',
    });
    const line = listing.split('\n').find((l) => l.split('\t')[1] === OUT_SINK);
    return line?.split('\t')[4] ?? 'missing';
  });
}

function readStats(client: Page): Promise<ClientAudioStats> {
  return client.evaluate(() => {
    const w = window as unknown as {
      bpClient?: { feature(name: string): { stats(): ClientAudioStats } | undefined };
    };
    const audio = w.bpClient?.feature('audio');
    if (!audio) throw new Error('the live view has no audio feature');
    return audio.stats();
  });
}

function cpuOf(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += cpuSeconds(pid);
    } catch {
      // gone
    }
  }
  return total;
}

async function measureWindow(target: AudioMeasureTarget, seconds: number): Promise<AudioWindow> {
  const agent = target.agentPid ?? process.pid;
  const procs = audioProcesses(agent);
  await target.client.evaluate(() => {
    const w = window as unknown as { bpClient?: { feature(n: string): { resetLevels(): void } } };
    w.bpClient?.feature('audio')?.resetLevels();
  });
  const before = await readStats(target.client);
  const cpu0 = { agent: cpuOf([agent]), pulse: cpuOf(procs.pulseaudio) };
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = await readStats(target.client);
  const elapsed = (performance.now() - t0) / 1000;
  const pct = (a: number, b: number) => Math.round(((b - a) / elapsed) * 1000) / 10;
  const packets = after.packets - before.packets;
  return {
    seconds: Math.round(elapsed * 100) / 100,
    packets,
    wireKbps: Math.round(((after.wireBytes - before.wireBytes) * 8) / elapsed / 10) / 100,
    payloadKbps: Math.round(((after.payloadBytes - before.payloadBytes) * 8) / elapsed / 10) / 100,
    packetsPerSecond: Math.round((packets / elapsed) * 10) / 10,
    maxLevelDbfs: packets > 0 ? Math.round(after.maxLevelDbfs * 10) / 10 : Number.NEGATIVE_INFINITY,
    cpu: {
      agent: pct(cpu0.agent, cpuOf([agent])),
      pulseaudio: pct(cpu0.pulse, cpuOf(procs.pulseaudio)),
    },
  };
}

/**
 * Measures desktop audio on the wire at a real client: opens a tab in the remote browser that
 * plays a 440 Hz tone, counts the audio frames the client receives for `seconds`, stops the tone,
 * waits until the host has settled (hangover, sink suspended), and counts again for `seconds`
 * of silence. Also reports the CPU of the agent and its PulseAudio daemons in both windows. The tab is
 * closed afterwards; the session is otherwise left as it was.
 */
export async function measureAudio(
  target: AudioMeasureTarget,
  options: { seconds?: number } = {},
): Promise<AudioFigures> {
  const seconds = options.seconds ?? 5;
  const tab = await target.remote.context().newPage();
  try {
    await tab.setContent(TONE_PAGE);
    await tab.click('#play');
    await tab.waitForFunction(() => document.title === 'playing');
    await waitForPackets(target.client);
    const playing = await measureWindow(target, seconds);
    await tab.click('#stop');
    await tab.waitForFunction(() => document.title === 'stopped');
    // the silence gate's 220 ms hangover, and the sink suspends a second after the page stops
    await new Promise((r) => setTimeout(r, 2600));
    const silent = await measureWindow(target, seconds);
    return { playing, silent };
  } finally {
    await tab.close().catch(() => undefined);
  }
}

async function waitForPackets(client: Page, timeoutMs = 10_000): Promise<void> {
  const start = (await readStats(client)).packets;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await readStats(client)).packets > start + 10) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no audio packets reached the client while the tone played');
}
