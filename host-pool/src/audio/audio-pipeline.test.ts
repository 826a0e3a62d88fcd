import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { decodePayload, HEADER_BYTES, type MessageOf } from '@browserpane/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSystemTools } from '../../../test/support/system-tools.ts';
import { silentLogger } from '../log.ts';
import { isAlive } from '../runtime/process-tools.ts';
import { AudioChild } from './child.ts';
import { DesktopAudio } from './desktop-audio.ts';
import { MicrophoneInput } from './microphone.ts';
import { OpusEncoder } from './opus-encoder.ts';
import { FRAME_SAMPLES, frameBytes } from './pcm-format.ts';
import { MIC_SINK, MIC_SOURCE, OUT_SINK } from './pulse-config.ts';
import { PulseServer } from './pulse-server.ts';
import { rmsDbfs } from './silence-gate.ts';

const hasPulse = hasSystemTools('session audio against a real PulseAudio daemon', [
  'pulseaudio',
  'parec',
  'pacat',
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

/** Records `seconds` from a source of the daemon and returns its level in dBFS. */
async function recordLevel(server: PulseServer, device: string, seconds: number): Promise<number> {
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
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  await wait(seconds * 1000);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const all = Buffer.concat(chunks);
  return rmsDbfs(all.subarray(0, all.length & ~1));
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

  it('sends Opus packets while the sink plays a tone and nothing once it is silent', async () => {
    const frames: MessageOf<'audioPacket'>[] = [];
    const out = new DesktopAudio({
      device: `${OUT_SINK}.monitor`,
      pulseEnv: server.clientEnv,
      log: silentLogger,
      broadcast: (bytes) =>
        frames.push(
          decodePayload(
            bytes[0] as number,
            bytes.subarray(HEADER_BYTES),
          ) as MessageOf<'audioPacket'>,
        ),
    });
    try {
      out.start();
      await wait(800);
      expect(out.capturing).toBe(true);
      expect(frames).toHaveLength(0); // an idle sink is silence: nothing on the wire
      const player = play(server, OUT_SINK, sinePcm(2, 1.5), 2);
      await player.exited;
      await wait(600);
      const sent = frames.length;
      // 1.5 s of tone is ~75 packets, plus the 220 ms hangover
      expect(sent).toBeGreaterThan(60);
      expect(sent).toBeLessThan(110);
      expect(frames.every((f, i) => f.type === 'audioPacket' && f.seq === i)).toBe(true);
      const pts = frames.map((f) => f.ptsUs);
      expect(pts.every((p, i) => i === 0 || p - (pts[i - 1] as number) === 20_000)).toBe(true);
      await wait(700);
      expect(frames.length).toBe(sent);
      expect(out.stats.framesSilent).toBeGreaterThan(20);
    } finally {
      await out.close();
    }
    expect(out.capturing).toBe(false);
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
      const recording = recordLevel(server, MIC_SOURCE, 1.6);
      for (let off = 0; off + step <= pcm.length; off += step) {
        for (const data of encoder.encode(pcm.subarray(off, off + step)))
          mic.packet({ type: 'micPacket', seq: seq++, ptsUs: off / 2, data }, 'c-owner');
        if ((off / step) % 5 === 4) await wait(100);
      }
      expect(await recording).toBeGreaterThan(-20);
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
