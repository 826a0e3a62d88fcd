import { describe, expect, it } from 'vitest';
import { loadNodeAv } from '../media/node-av.ts';
import { codecString, H264Encoder } from './h264-encoder.ts';

function pattern(width: number, height: number, t: number): Buffer {
  const out = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      out[at] = (x * 2 + t * 5) & 0xff;
      out[at + 1] = (y * 3 - t * 7) & 0xff;
      out[at + 2] = ((x ^ y) + t * 11) & 0xff;
    }
  }
  return out;
}

describe('H264Encoder', () => {
  it('starts with an IDR carrying SPS/PPS, honours forced keyframes, and decodes back', async () => {
    const enc = await H264Encoder.create({
      width: 320,
      height: 180,
      fps: 30,
      maxKbps: 1500,
      gop: 30,
    });
    const units: import('./h264-encoder.ts').EncodedAccessUnit[] = [];
    for (let i = 0; i < 20; i++) {
      if (i === 12) enc.requestKeyframe();
      units.push(...enc.encode(pattern(320, 180, i), i * 33_333));
    }
    enc.close();
    expect(units.length).toBe(20);
    expect(units[0]?.keyframe).toBe(true);
    expect(units.filter((u) => u.keyframe).map((u) => units.indexOf(u))).toEqual([0, 12]);
    expect(enc.codec).toMatch(/^avc1\.42[0-9A-F]{4}$/); // baseline profile

    const { av } = await loadNodeAv();
    const codec = av.Codec.findDecoder(av.AV_CODEC_ID_H264);
    const ctx = new av.CodecContext();
    ctx.allocContext3(codec);
    expect(await ctx.open2(codec)).toBe(0);
    const frame = new av.Frame();
    frame.alloc();
    let decoded = 0;
    const drain = async () => {
      while ((await ctx.receiveFrame(frame)) === 0) {
        expect([frame.width, frame.height]).toEqual([320, 180]);
        decoded++;
      }
    };
    for (const u of units) {
      const packet = new av.Packet();
      packet.alloc();
      packet.data = Buffer.from(u.data);
      expect(await ctx.sendPacket(packet)).toBe(0);
      await drain();
    }
    await ctx.sendPacket(null);
    await drain();
    ctx.freeContext();
    expect(decoded).toBe(20);
  });

  it('reads the codec string from an SPS', () => {
    const au = Uint8Array.of(0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f, 0xda, 0, 0, 1, 0x68);
    expect(codecString(au)).toBe('avc1.42C01F');
    expect(codecString(Uint8Array.of(0, 0, 1, 0x41, 1, 2, 3, 4, 5))).toBeUndefined();
  });

  it('refuses odd dimensions', async () => {
    await expect(
      H264Encoder.create({ width: 321, height: 180, fps: 30, maxKbps: 1000 }),
    ).rejects.toThrow(/even/);
  });
});

describe('H264Encoder native lifetime', () => {
  it('survives garbage collection after many encoder lifetimes (node-av finalizers)', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    for (let round = 0; round < 6; round++) {
      const enc = await H264Encoder.create({ width: 320, height: 180, fps: 30, maxKbps: 1000 });
      for (let i = 0; i < 4; i++) {
        if (i === 2) enc.requestKeyframe();
        enc.encode(pattern(320, 180, i + round), i * 33_333);
      }
      enc.setMaxKbps(700);
      enc.close();
      enc.close(); // idempotent
      expect(enc.encode(pattern(320, 180, 0), 0)).toEqual([]);
      gc();
      await new Promise((r) => setImmediate(r)); // finalizers run here; a double free would crash
    }
  });
});
