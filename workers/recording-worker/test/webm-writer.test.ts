import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeAv } from '@browserpane/host-pool/media/node-av';
import { describe, expect, it } from 'vitest';
import { transcodeToMp4 } from '../src/encode/mp4-transcode.ts';
import { remuxWebm } from '../src/encode/remux.ts';
import { type VideoCodec, WebmWriter } from '../src/encode/webm-writer.ts';

const W = 320;
const H = 180;

function solid(r: number, g: number, b: number): Uint8Array {
  const out = new Uint8Array(W * H * 4);
  for (let i = 0; i < out.length; i += 4) {
    out[i] = r;
    out[i + 1] = g;
    out[i + 2] = b;
    out[i + 3] = 255;
  }
  return out;
}

/** Decodes every picture of a WebM: [pts ms, colour at (W/2, row)] (the centre by default). */
async function decodeAll(path: string, row = H / 2): Promise<Array<[number, number[]]>> {
  const { av } = await loadNodeAv();
  const input = new av.FormatContext();
  expect(await input.openInput(path)).toBeGreaterThanOrEqual(0);
  await input.findStreamInfo(null);
  const stream = input.streams[0] as NonNullable<(typeof input.streams)[0]>;
  const codec = av.Codec.findDecoder(stream.codecpar.codecId);
  const ctx = new av.CodecContext();
  ctx.allocContext3(codec);
  stream.codecpar.toContext(ctx);
  ctx.open2Sync(codec, null);
  const pkt = new av.Packet();
  pkt.alloc();
  const frame = new av.Frame();
  frame.alloc();
  const out: Array<[number, number[]]> = [];
  const take = () => {
    while (ctx.receiveFrameSync(frame) >= 0) {
      const y = frame.data?.[0];
      const u = frame.data?.[1];
      const v = frame.data?.[2];
      const ls = frame.linesize;
      const cy = (y as Buffer)[row * (ls[0] as number) + W / 2] as number;
      const cu = (u as Buffer)[(row >> 1) * (ls[1] as number) + W / 4] as number;
      const cv = (v as Buffer)[(row >> 1) * (ls[2] as number) + W / 4] as number;
      // BT.601 limited range back to RGB.
      const c = 1.164 * (cy - 16);
      const rgb = [
        c + 1.596 * (cv - 128),
        c - 0.392 * (cu - 128) - 0.813 * (cv - 128),
        c + 2.017 * (cu - 128),
      ];
      const ms = Number(frame.pts) * (stream.timeBase.num / stream.timeBase.den) * 1000;
      out.push([Math.round(ms), rgb.map((x) => Math.max(0, Math.min(255, Math.round(x))))]);
      frame.unref();
    }
  };
  while ((await input.readFrame(pkt)) >= 0) {
    if (pkt.streamIndex === stream.index) ctx.sendPacketSync(pkt);
    pkt.unref();
    take();
  }
  ctx.sendPacketSync(null);
  take();
  pkt.free();
  frame.free();
  ctx.freeContext();
  await input.closeInput();
  return out;
}

/** A W × H writer at 15 fps, 500 kbit/s at most. */
const openWriter = (path: string, codec: VideoCodec) =>
  WebmWriter.open({ path, width: W, height: H, codec, kbps: 500, fps: 15 });

const near = (c: number[], ref: number[], tolerance = 40) =>
  c.every((v, i) => Math.abs(v - (ref[i] as number)) <= tolerance);

describe('WebM writer (VP8/VP9 live WebM, remux)', () => {
  for (const codec of ['vp8', 'vp9'] as const)
    it(`writes ${codec} pictures at their times; any prefix of the file plays up to where it ends`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bp-webm-'));
      const live = join(dir, 'live.webm');
      const writer = await openWriter(live, codec);
      const sizes: number[] = [];
      // red 0–2 s, green 2–4 s (a picture only when it changes, plus a few in between), end at 4 s.
      for (let ms = 0; ms < 2000; ms += 500) writer.writePicture(solid(255, 0, 0), W, H, ms);
      sizes.push(statSync(live).size);
      for (let ms = 2000; ms < 4000; ms += 500) writer.writePicture(solid(0, 255, 0), W, H, ms);
      writer.writePicture(solid(0, 255, 0), W, H, 4000);
      await writer.close();
      const whole = readFileSync(live);
      // The live file only grew: what was on disk after the red second is its prefix.
      const prefix = join(dir, 'prefix.webm');
      writeFileSync(prefix, whole.subarray(0, sizes[0]));
      const early = await decodeAll(prefix);
      expect(early.length).toBeGreaterThan(0);
      expect(early.every(([, c]) => near(c, [255, 0, 0]))).toBe(true);

      const final = join(dir, 'final.webm');
      const { durationMs } = await remuxWebm([live], final);
      expect(durationMs).toBeGreaterThanOrEqual(4000);
      const pictures = await decodeAll(final);
      expect(pictures.map(([ms]) => ms)).toEqual([
        0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000,
      ]);
      expect(pictures.filter(([ms]) => ms < 2000).every(([, c]) => near(c, [255, 0, 0]))).toBe(
        true,
      );
      expect(pictures.filter(([ms]) => ms >= 2000).every(([, c]) => near(c, [0, 255, 0]))).toBe(
        true,
      );

      // Two files joined: the second starts where the first ended.
      const joined = join(dir, 'joined.webm');
      const both = await remuxWebm([final, final], joined);
      expect(both.durationMs).toBeGreaterThanOrEqual(2 * 4000);
      const twice = await decodeAll(joined);
      expect(twice.length).toBe(2 * pictures.length);
      expect(twice[pictures.length]?.[0]).toBeGreaterThanOrEqual(4000);
    });

  it('converts only the rows it is told changed, and keeps a change whose time did not advance', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-webm-'));
    const live = join(dir, 'rows.webm');
    const writer = await openWriter(live, 'vp8');
    writer.writePicture(solid(255, 0, 0), W, H, 0);
    // Everything is blue now, but only rows 64–96 are named: the rest must stay red.
    writer.writePicture(solid(0, 0, 255), W, H, 100, [{ from: 64, to: 96 }]);
    // A change at a time that does not advance is converted, and shows in the next picture.
    const green = solid(0, 255, 0);
    writer.writePicture(green, W, H, 100, [{ from: 128, to: 144 }]);
    writer.writePicture(green, W, H, 200, []);
    await writer.close();
    const at = async (row: number) => (await decodeAll(live, row)).map(([, c]) => c);
    const band = await at(80);
    expect(band).toHaveLength(3);
    expect(near(band[0] as number[], [255, 0, 0])).toBe(true);
    expect(near(band[1] as number[], [0, 0, 255])).toBe(true);
    const above = await at(20);
    expect(above.every((c) => near(c, [255, 0, 0]))).toBe(true);
    const later = await at(136);
    expect(near(later[1] as number[], [255, 0, 0])).toBe(true);
    expect(near(later[2] as number[], [0, 255, 0])).toBe(true);
  });

  it('holds a still picture with a frame at least every 500 ms, and never lets a hold swallow a change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-webm-'));
    const live = join(dir, 'holds.webm');
    const writer = await openWriter(live, 'vp9');
    writer.holdUntil(5000); // nothing written yet: nothing to hold
    writer.writePicture(solid(255, 0, 0), W, H, 0);
    // red stays for 2.2 s: the change at 2200 brings the holds before it
    writer.writePicture(solid(0, 255, 0), W, H, 2200);
    // the recorder holds green while the page is still, then a change lands on the last hold
    writer.holdUntil(3300);
    writer.writePicture(solid(0, 0, 255), W, H, 3200);
    writer.writePicture(solid(0, 0, 255), W, H, 3400, []);
    await writer.close();
    expect(writer.stats.holdFrames).toBe(6);
    const pictures = await decodeAll(live);
    const named = pictures.map(([ms, c]) => [
      ms,
      near(c, [255, 0, 0])
        ? 'red'
        : near(c, [0, 255, 0])
          ? 'green'
          : near(c, [0, 0, 255])
            ? 'blue'
            : String(c),
    ]);
    expect(named).toEqual([
      [0, 'red'],
      [500, 'red'],
      [1000, 'red'],
      [1500, 'red'],
      [2000, 'red'],
      [2200, 'green'],
      [2700, 'green'],
      [3200, 'green'],
      [3201, 'blue'],
      [3400, 'blue'],
    ]);
    const gaps = pictures.slice(1).map(([ms], i) => ms - (pictures[i]?.[0] as number));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(500);
  });

  it('exports a recording as MP4: H.264 at the same times and colours, index first, progress told', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-webm-'));
    const live = join(dir, 'live.webm');
    const writer = await openWriter(live, 'vp8');
    for (let ms = 0; ms < 2000; ms += 500) writer.writePicture(solid(255, 0, 0), W, H, ms);
    for (let ms = 2000; ms <= 4000; ms += 500) writer.writePicture(solid(0, 255, 0), W, H, ms);
    await writer.close();
    const webm = join(dir, 'final.webm');
    await remuxWebm([live], webm);
    const mp4 = join(dir, 'export.mp4');
    const progress: number[] = [];
    const { durationMs, hasAudio } = await transcodeToMp4(webm, mp4, (done) => progress.push(done));
    expect([durationMs >= 4000, hasAudio]).toEqual([true, false]);
    expect(progress.length).toBeGreaterThan(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(progress.at(-1)).toBe(4000);
    const bytes = readFileSync(mp4);
    // `ftyp`, and the index (`moov`) before the media (`mdat`): it plays while downloading.
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    const { av } = await loadNodeAv();
    const probe = new av.FormatContext();
    await probe.openInput(mp4);
    await probe.findStreamInfo(null);
    expect(probe.streams.map((s) => s.codecpar.codecId)).toEqual([av.AV_CODEC_ID_H264]);
    await probe.closeInput();
    const pictures = await decodeAll(mp4);
    expect(pictures.map(([ms]) => ms)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000]);
    expect(pictures.filter(([ms]) => ms < 2000).every(([, c]) => near(c, [255, 0, 0]))).toBe(true);
    expect(pictures.filter(([ms]) => ms >= 2000).every(([, c]) => near(c, [0, 255, 0]))).toBe(true);
  });
});
