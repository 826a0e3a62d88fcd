import { MAX_AUDIO_PACKET_BYTES } from '@browserpane/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioError } from './errors.ts';
import { OpusDecoder } from './opus-decoder.ts';
import { DESKTOP_OPUS, OpusEncoder } from './opus-encoder.ts';
import { FRAME_SAMPLES, frameBytes } from './pcm-format.ts';
import { rmsDbfs } from './silence-gate.ts';

/** `count` consecutive 20 ms frames of a 440 Hz sine at about -12 dBFS (RMS). */
function sine(channels: 1 | 2, count: number, offsetFrames = 0): Buffer[] {
  const amp = 32767 * 10 ** (-12 / 20) * Math.SQRT2;
  return Array.from({ length: count }, (_, f) => {
    const buf = Buffer.alloc(frameBytes(channels));
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      const t = (offsetFrames + f) * FRAME_SAMPLES + i;
      const v = Math.round(amp * Math.sin((2 * Math.PI * 440 * t) / 48_000));
      for (let c = 0; c < channels; c++) buf.writeInt16LE(v, (i * channels + c) * 2);
    }
    return buf;
  });
}

describe('Opus framing (libopus through node-av)', () => {
  let encoder: OpusEncoder;
  let decoder: OpusDecoder;

  beforeAll(async () => {
    encoder = await OpusEncoder.create(DESKTOP_OPUS);
    decoder = await OpusDecoder.create(2);
  });
  afterAll(() => {
    encoder.close();
    decoder.close();
  });

  it('turns every 20 ms stereo frame into exactly one packet within the protocol limit and bitrate', () => {
    const frames = sine(2, 100);
    const packets = frames.map((f) => encoder.encode(f));
    expect(packets.every((p) => p.length === 1)).toBe(true);
    const sizes = packets.map((p) => (p[0] as Buffer).byteLength);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_AUDIO_PACKET_BYTES);
    const kbps = (sizes.reduce((a, b) => a + b, 0) * 8) / 2 / 1000; // 100 frames = 2 s
    expect(kbps).toBeLessThanOrEqual(DESKTOP_OPUS.bitrate / 1000 + 2);
    expect(kbps).toBeGreaterThan(8);
  });

  it('decodes its packets back to 960 samples per channel at the same loudness', () => {
    const packets = sine(2, 50, 100).flatMap((f) => encoder.encode(f));
    const pcm = packets.map((p) => decoder.decode(p));
    expect(pcm.every((b) => b.byteLength === frameBytes(2))).toBe(true);
    const level = rmsDbfs(Buffer.concat(pcm.slice(10)));
    expect(level).toBeGreaterThan(-14);
    expect(level).toBeLessThan(-10);
  });

  it('refuses frames of the wrong size with a typed error', () => {
    expect(() => encoder.encode(Buffer.alloc(100))).toThrow(AudioError);
    expect(() => encoder.encode(Buffer.alloc(frameBytes(2) + 2))).toThrow(
      expect.objectContaining({ name: 'AudioError', code: 'bad_frame' }),
    );
  });

  it('mixes a stereo stream down for the mono microphone path, and survives garbage', async () => {
    const mono = await OpusDecoder.create(1);
    try {
      const out = sine(2, 5, 300)
        .flatMap((f) => encoder.encode(f))
        .map((p) => mono.decode(p));
      expect(out.every((b) => b.byteLength === frameBytes(1))).toBe(true);
      let bad = 0;
      for (const junk of [
        Buffer.from([0xff, 0xff, 0xff]),
        Buffer.alloc(0),
        Buffer.alloc(7000, 0xab),
      ]) {
        try {
          mono.decode(junk);
        } catch (err) {
          expect(err).toBeInstanceOf(AudioError);
          bad++;
        }
      }
      expect(bad).toBeGreaterThanOrEqual(1);
      const again = mono.decode(encoder.encode(sine(2, 1, 310)[0] as Buffer)[0] as Buffer);
      expect(again.byteLength).toBe(frameBytes(1));
    } finally {
      mono.close();
    }
  });
});
