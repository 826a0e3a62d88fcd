import { describe, expect, it } from 'vitest';
import { createJitterBuffer, jitterOptions } from './jitter-buffer.ts';

const RATE = 48_000;
const block = (frames: number, value: number) => Float32Array.from({ length: frames }, () => value);
const stereo = (frames: number, l: number, r = l) => [block(frames, l), block(frames, r)];
const out = (frames = 128) => [new Float32Array(frames), new Float32Array(frames)];

describe('jitter buffer (100 ms start, 250 ms catch-up, 1 s ring at 48 kHz)', () => {
  it('plays nothing until 100 ms are buffered, then plays the audio in order', () => {
    const jb = createJitterBuffer(jitterOptions(RATE, 2));
    for (let i = 0; i < 4; i++) jb.push(stereo(960, i + 1)); // 80 ms
    const o = out();
    expect(jb.pull(o, 128)).toBe(0);
    expect(o[0]?.every((v) => v === 0)).toBe(true);
    expect(jb.playing).toBe(false);
    jb.push(stereo(960, 5)); // 100 ms
    expect(jb.playing).toBe(true);
    expect(jb.pull(o, 128)).toBe(128);
    expect(o[0]?.every((v) => v === 1)).toBe(true);
    expect(jb.buffered).toBe(4800 - 128);
    expect(jb.stats.silentFrames).toBe(128);
  });

  it('keeps the channels apart and feeds a mono block to both outputs', () => {
    const jb = createJitterBuffer({ ...jitterOptions(RATE, 2), startFrames: 1 });
    jb.push(stereo(4, 0.25, -0.5));
    jb.push([block(4, 0.75)]);
    const o = out(8);
    jb.pull(o, 8);
    expect([...(o[0] as Float32Array)]).toEqual([0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75]);
    expect([...(o[1] as Float32Array)]).toEqual([-0.5, -0.5, -0.5, -0.5, 0.75, 0.75, 0.75, 0.75]);
  });

  it('runs dry into silence (an underrun), then waits for 100 ms again', () => {
    const jb = createJitterBuffer(jitterOptions(RATE, 2));
    jb.push(stereo(4800, 0.5));
    const o = out();
    let played = 0;
    for (let i = 0; i < 40; i++) played += jb.pull(o, 128);
    expect(played).toBe(4800);
    expect(jb.stats.underruns).toBe(1);
    expect(jb.playing).toBe(false);
    jb.push(stereo(960, 0.5));
    expect(jb.pull(o, 128)).toBe(0);
  });

  it('drops the oldest audio down to 100 ms when more than 250 ms pile up', () => {
    const jb = createJitterBuffer(jitterOptions(RATE, 2));
    for (let i = 0; i < 12; i++) jb.push(stereo(960, i)); // 240 ms
    expect(jb.buffered).toBe(11_520);
    jb.push(stereo(960, 12)); // 260 ms > 250 ms
    expect(jb.buffered).toBe(4800);
    expect(jb.stats.droppedFrames).toBe(12_480 - 4800);
    const o = out(960);
    jb.pull(o, 960);
    expect(o[0]?.[0]).toBe(8); // the newest 100 ms: blocks 8…12
  });

  it('wraps around its ring without losing samples', () => {
    const jb = createJitterBuffer({
      channels: 1,
      capacityFrames: 10,
      startFrames: 1,
      maxFrames: 10,
      targetFrames: 5,
    });
    const o = [new Float32Array(3)];
    let next = 0;
    const seen: number[] = [];
    for (let round = 0; round < 20; round++) {
      jb.push([Float32Array.from([next, next + 1, next + 2])]);
      next += 3;
      jb.pull(o, 3);
      seen.push(...(o[0] as Float32Array));
    }
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('keeps only the newest part of a block larger than the ring, and resets', () => {
    const jb = createJitterBuffer({
      channels: 1,
      capacityFrames: 4,
      startFrames: 1,
      maxFrames: 4,
      targetFrames: 4,
    });
    jb.push([Float32Array.from([1, 2, 3, 4, 5, 6])]);
    const o = [new Float32Array(4)];
    jb.pull(o, 4);
    expect([...(o[0] as Float32Array)]).toEqual([3, 4, 5, 6]);
    jb.push([Float32Array.from([9])]);
    jb.reset();
    expect(jb.buffered).toBe(0);
    expect(jb.playing).toBe(false);
  });
});
