import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { type EncodedAccessUnit, H264Encoder } from '../video/h264-encoder.ts';
import { CameraInput, validCameraConfig } from './camera-input.ts';
import { DeviceFrameSink } from './frame-sink.ts';
import { H264Decoder } from './h264-decoder.ts';

const W = 320;
const H = 240;

/** `count` access units of a moving gradient, Annex B with SPS/PPS on keyframes (like WebCodecs). */
async function accessUnits(count: number, gop = 10): Promise<EncodedAccessUnit[]> {
  const encoder = await H264Encoder.create({ width: W, height: H, fps: 30, maxKbps: 800, gop });
  const out: EncodedAccessUnit[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const bgrx = Buffer.alloc(W * H * 4);
      for (let p = 0; p < W * H; p++) {
        bgrx[p * 4] = (p + i * 7) & 0xff;
        bgrx[p * 4 + 1] = (p >> 4) & 0xff;
        bgrx[p * 4 + 2] = (i * 11) & 0xff;
      }
      out.push(...encoder.encode(bgrx, i * 33_333));
    }
  } finally {
    encoder.close();
  }
  return out;
}

describe('camera: client H.264 → decoded pictures → device', () => {
  let units: EncodedAccessUnit[];
  let dir: string;

  beforeAll(async () => {
    units = await accessUnits(24);
    dir = mkdtempSync(join(tmpdir(), 'bp-cam-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes every access unit to one YUV 4:2:0 picture at the configured size, scaling if needed', async () => {
    expect(units[0]?.keyframe).toBe(true);
    for (const size of [
      { width: W, height: H },
      { width: 160, height: 90 },
    ]) {
      const decoder = await H264Decoder.create(size);
      const seen: string[] = [];
      try {
        for (const au of units)
          await decoder.decode(au.data, async (p) => {
            seen.push(`${p.width}x${p.height}`);
          });
      } finally {
        decoder.close();
      }
      expect(seen).toHaveLength(units.length);
      expect(new Set(seen)).toEqual(new Set([`${size.width}x${size.height}`]));
    }
  });

  it('counts garbage and delta frames without a keyframe as errors instead of throwing', async () => {
    const decoder = await H264Decoder.create({ width: W, height: H });
    try {
      let pictures = 0;
      const count = async () => {
        pictures++;
      };
      await decoder.decode(new Uint8Array([0, 0, 0, 1, 0xff, 0xee, 0xdd]), count);
      await decoder.decode(new Uint8Array(0), count);
      await decoder.decode((units[3] as EncodedAccessUnit).data, count);
      expect(pictures).toBe(0);
      await decoder.decode((units[0] as EncodedAccessUnit).data, count);
      expect(pictures).toBe(1);
    } finally {
      decoder.close();
    }
  });

  it('feeds the sender’s stream to the device from the first keyframe on and drops everything else', async () => {
    const file = join(dir, 'camera.yuv');
    const events: string[] = [];
    const input = new CameraInput({
      log: silentLogger,
      record: (type) => events.push(type),
      openSink: (size, fps) =>
        DeviceFrameSink.open({ path: file, format: 'rawvideo', fps, ...size }),
    });
    input.config(
      { type: 'cameraConfig', codec: 'avc1.42E01F', width: 999, height: 0, fps: 30 },
      'c-1',
    );
    expect(input.stats.configsRefused).toBe(1);
    input.config(
      { type: 'cameraConfig', codec: 'avc1.42E01F', width: W, height: H, fps: 30 },
      'c-1',
    );
    const send = (au: EncodedAccessUnit, seq: number, from = 'c-1') =>
      input.packet(
        { type: 'cameraPacket', seq, ptsUs: au.ptsUs, keyframe: au.keyframe, data: au.data },
        from,
      );
    send(units[5] as EncodedAccessUnit, 0); // a delta before any keyframe
    for (const [i, au] of units.entries()) {
      send(au, i + 1);
      await input.settled(); // a client sends one access unit per frame interval
    }
    send(units[0] as EncodedAccessUnit, 99, 'c-2'); // not the sender
    expect(input.stats.pictures).toBe(units.length);
    // a burst larger than the backlog: deltas are dropped until the next keyframe
    for (const [i, au] of units.entries()) send(au, 100 + i);
    await input.settled();
    input.stop('c-1');
    await input.close();
    expect(input.stats.pictures).toBeGreaterThan(units.length);
    expect(input.stats.pictures).toBeLessThan(2 * units.length);
    expect(input.stats.dropped).toBe(2 + (2 * units.length - input.stats.pictures));
    expect(statSync(file).size).toBe(input.stats.pictures * W * H * 1.5);
    expect(events).toEqual(['camera_started', 'camera_stopped']);
  });

  it('accepts only sane H.264 configurations', () => {
    const ok = {
      type: 'cameraConfig',
      codec: 'avc1.42E01F',
      width: 1280,
      height: 720,
      fps: 30,
    } as const;
    expect(validCameraConfig(ok)).toBe(true);
    expect(validCameraConfig({ ...ok, codec: 'vp8' })).toBe(false);
    expect(validCameraConfig({ ...ok, width: 1281 })).toBe(false);
    expect(validCameraConfig({ ...ok, height: 4320 })).toBe(false);
    expect(validCameraConfig({ ...ok, fps: 0 })).toBe(false);
  });
});
