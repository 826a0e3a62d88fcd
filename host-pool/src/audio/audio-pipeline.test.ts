import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { decodePayload, HEADER_BYTES, type MessageOf } from '@browserpane/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSystemTools } from '../../../test/support/system-tools.ts';
import { silentLogger } from '../log.ts';
import { isAlive } from '../runtime/process-tools.ts';
import { AudioChild } from './child.ts';
import { DesktopAudio } from './desktop-audio.ts';
import { MicrophoneInput } from './microphone.ts';
import { OpusDecoder } from './opus-decoder.ts';
import { OpusEncoder } from './opus-encoder.ts';
import { FRAME_SAMPLES, frameBytes } from './pcm-format.ts';
import { MIC_SINK, MIC_SOURCE, OUT_SINK } from './pulse-config.ts';
import { PulseServer } from './pulse-server.ts';
import { rmsDbfs } from './silence-gate.ts';

const hasPulse = hasSystemTools('session audio against a real PulseAudio daemon', [
  'pulseaudio',
  'parec',
  'pacat',
  'pactl',
]);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sinePcm(channels: 1 | 2, seconds: number, dbfs = -12): Buffer {
  const samples = Math.round(48_000 * seconds);
  const buf = Buffer.alloc(samples * channels * 2);
  const amp = 32767 * 10 ** (dbfs / 20) * Math.SQRT2;
  for (let i = 0; i < samples; i++) {
    const v = Math.round(amp * Math.sin((2 * Math.PI * 440 * i) / 48_000));
    for (let c = 0; c < channels; c++) buf.writeInt16LE(v, (i * channels + c) * 2);
  }
  return buf;
}

/** Plays raw PCM into a sink of the session's daemon, the way Chromium would. */
function play(server: PulseServer, device: string, pcm: Buffer, channels: number): AudioChild {
  const child = new AudioChild({
    command: 'pacat',
    args: [
      `--device=${device}`,
      '--raw',
      '--format=s16le',
      '--rate=48000',
      `--channels=${channels}`,
    ],
    env: { PATH: process.env.PATH ?? '', ...server.clientEnv },
    stdin: true,
  });
  child.child.stdin?.end(pcm);
  return child;
}

/** Resolves once no packet has arrived for 400 ms (the sound and its hangover went out). */
async function quiet(frames: readonly unknown[]): Promise<void> {
  let count = -1;
  while (count !== frames.length) {
    count = frames.length;
    await wait(400);
  }
}

/** The state (`RUNNING`, `IDLE`, `SUSPENDED`) of the daemon's output sink. */
function sinkState(server: PulseServer): string | undefined {
  const listing = execFileSync('pactl', ['list', 'short', 'sinks'], {
    env: { PATH: process.env.PATH ?? '', ...server.clientEnv },
    encoding: 'utf8',
  });
  return listing
    .split('\n')
    .map((line) => line.split('\t'))
    .find((fields) => fields[1] === OUT_SINK)?.[4];
}

/**
 * Starts recording a source of the daemon; `ready` resolves once audio arrives (a null sink idle
 * before may take up to its 2 s block to deliver the first data), `stop()` gives the level of
 * everything recorded, in dBFS.
 */
function record(server: PulseServer, device: string) {
  const chunks: Buffer[] = [];
  const child = spawn(
    'parec',
    [
      `--device=${device}`,
      '--raw',
      '--format=s16le',
      '--rate=48000',
      '--channels=1',
      '--latency-msec=20',
    ],
    { env: { PATH: process.env.PATH ?? '', ...server.clientEnv } },
  );
  const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  return {
    ready,
    async stop(): Promise<number> {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      const all = Buffer.concat(chunks);
      return rmsDbfs(all.subarray(0, all.length & ~1));
    },
  };
}

/** The level of `seconds` of what a source of the daemon delivers, dBFS. */
async function recordLevel(server: PulseServer, device: string, seconds: number): Promise<number> {
  const recorder = record(server, device);
  await recorder.ready;
  await wait(seconds * 1000);
  return recorder.stop();
}

describe.runIf(hasPulse)('session audio against a real PulseAudio daemon', () => {
  let server: PulseServer;

  beforeAll(async () => {
    server = await PulseServer.start({ log: silentLogger });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('starts a private daemon whose socket only our clients use, and stops without leftovers', async () => {
    const other = await PulseServer.start({ log: silentLogger });
    const pid = other.pid as number;
    expect(other.clientEnv.PULSE_SERVER).toMatch(/^unix:\/.+\/native$/);
    expect(other.clientEnv.PULSE_SERVER).not.toBe(server.clientEnv.PULSE_SERVER);
    expect(isAlive(pid)).toBe(true);
    await other.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(other.paths.dir)).toBe(false);
  });

  /** What the sink's FIFO delivers, as DesktopAudio sends it; decoded for level checks. */
  async function listen() {
    const frames: MessageOf<'audioPacket'>[] = [];
    const out = new DesktopAudio({
      pipe: server.paths.outPipe,
      log: silentLogger,
      broadcast: (bytes) =>
        frames.push(
          decodePayload(
            bytes[0] as number,
            bytes.subarray(HEADER_BYTES),
          ) as MessageOf<'audioPacket'>,
        ),
    });
    const decoder = await OpusDecoder.create(2);
    /** Milliseconds of decoded sound louder than −50 dBFS in `packets`, and the loudest level. */
    const heard = (packets: MessageOf<'audioPacket'>[]) => {
      let ms = 0;
      let loudest = Number.NEGATIVE_INFINITY;
      for (const p of packets) {
        const pcm = decoder.decode(p.data);
        const level = rmsDbfs(pcm);
        if (level > -50) ms += (pcm.byteLength / 4 / 48_000) * 1000;
        loudest = Math.max(loudest, level);
      }
      return { ms: Math.round(ms), loudest };
    };
    return {
      out,
      frames,
      heard,
      close: async () => {
        await out.close();
        decoder.close();
      },
    };
  }

  it('sends a sound after silence whole, from its first frame, and nothing while it is quiet', async () => {
    const { out, frames, heard, close } = await listen();
    try {
      out.start();
      // the sink suspends a second after it went idle: then nothing is written or read at all
      await expect.poll(() => sinkState(server), { timeout: 5000 }).toBe('SUSPENDED');
      await wait(200); // the last block the sink wrote before it stopped
      const read = out.stats.framesCaptured;
      await wait(1500);
      expect(out.stats.framesCaptured).toBe(read);
      expect(frames).toHaveLength(0);
      // a 0.3 s beep: resumes the sink, and every frame of it goes out
      await (await play(server, OUT_SINK, sinePcm(2, 0.3), 2)).exited;
      await quiet(frames);
      const beep = heard(frames);
      expect(beep.ms).toBeGreaterThanOrEqual(300);
      expect(beep.ms).toBeLessThanOrEqual(340);
      expect(beep.loudest).toBeGreaterThan(-15);
      expect(frames.every((f, i) => f.seq === i)).toBe(true);
      const pts = frames.map((f) => f.ptsUs);
      expect(pts.every((p, i) => i === 0 || p - (pts[i - 1] as number) === 20_000)).toBe(true);
      // the 220 ms hangover, then silence costs nothing again
      const sent = frames.length;
      expect(sent).toBeLessThan(15 + 2 + 12);
      await wait(1000);
      expect(frames.length).toBe(sent);
      expect(out.stats.framesSilent).toBeGreaterThan(20);
    } finally {
      await close();
    }
  });

  it('drops what plays while nobody listens, and sends nothing of it later', async () => {
    const { out, frames, heard, close } = await listen();
    try {
      out.open();
      const player = play(server, OUT_SINK, sinePcm(2, 0.8), 2);
      await expect.poll(() => out.stats.framesCaptured, { timeout: 5000 }).toBeGreaterThan(5);
      await player.exited;
      out.start();
      await wait(300);
      expect(frames).toHaveLength(0);
      await (await play(server, OUT_SINK, sinePcm(2, 0.5), 2)).exited;
      await quiet(frames);
      const second = heard(frames);
      expect(second.ms).toBeGreaterThanOrEqual(500);
      expect(second.ms).toBeLessThanOrEqual(540);
    } finally {
      await close();
    }
  });

  it('plays a microphone stream into the default source Chromium records from', async () => {
    const events: string[] = [];
    const mic = new MicrophoneInput({
      device: MIC_SINK,
      pulseEnv: server.clientEnv,
      log: silentLogger,
      record: (type) => events.push(type),
    });
    const encoder = await OpusEncoder.create({ channels: 1, bitrate: 32_000 });
    try {
      expect(await recordLevel(server, MIC_SOURCE, 0.4)).toBeLessThan(-80);
      mic.packet({ type: 'micPacket', seq: 0, ptsUs: 0, data: new Uint8Array([1, 2, 3]) }, 'c-x');
      expect(mic.stats.packetsDropped).toBe(1); // no config yet
      mic.config({ type: 'micConfig', codec: 'opus', sampleRate: 48_000, channels: 1 }, 'c-owner');
      const pcm = sinePcm(1, 2);
      const step = frameBytes(1);
      let seq = 0;
      const recorder = record(server, MIC_SOURCE);
      await recorder.ready;
      for (let off = 0; off + step <= pcm.length; off += step) {
        for (const data of encoder.encode(pcm.subarray(off, off + step)))
          mic.packet({ type: 'micPacket', seq: seq++, ptsUs: off / 2, data }, 'c-owner');
        if ((off / step) % 5 === 4) await wait(100);
      }
      expect(await recorder.stop()).toBeGreaterThan(-20);
      mic.packet({ type: 'micPacket', seq: 0, ptsUs: 0, data: new Uint8Array([9]) }, 'c-other');
      expect(mic.stats.packetsDropped).toBe(2); // not the speaker
      expect(mic.stats.decodeErrors).toBe(0);
      // a flood (a broken or hostile client) is dropped, not decoded
      const burst = encoder.encode(pcm.subarray(0, step))[0] as Buffer;
      const decodedBefore = mic.stats.packetsDecoded;
      for (let i = 0; i < 300; i++)
        mic.packet({ type: 'micPacket', seq: seq++, ptsUs: 0, data: burst }, 'c-owner');
      expect(mic.stats.packetsDecoded - decodedBefore).toBeLessThanOrEqual(60);
      mic.stop('c-owner');
      expect(events).toEqual(['microphone_started', 'microphone_stopped']);
      expect(mic.stats.packetsDecoded).toBeGreaterThan(90);
      expect(FRAME_SAMPLES).toBe(960);
    } finally {
      encoder.close();
      await mic.close();
    }
  });

  it('restarts the daemon when it dies, on the same socket', async () => {
    const before = server.pid as number;
    const restarted = new Promise<void>((resolve) => server.onRestart(resolve));
    process.kill(before, 'SIGKILL');
    await restarted;
    expect(server.pid).not.toBe(before);
    expect(server.running).toBe(true);
    expect(await recordLevel(server, MIC_SOURCE, 0.3)).toBeLessThan(-80);
  });
});
