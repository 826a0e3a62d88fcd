import { describe, expect, it } from 'vitest';
import { iou, looksLikeText, MotionClassifier } from './motion-classifier.ts';

const grid = { tileSize: 64, cols: 20, rows: 12 };

function tilesOf(c0: number, r0: number, c1: number, r1: number) {
  const out: Array<{ col: number; row: number }> = [];
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) out.push({ col: c, row: r });
  return out;
}

describe('MotionClassifier', () => {
  it('finds an area changing at video rates, tile-aligned', () => {
    const m = new MotionClassifier(grid);
    for (let t = 0; t <= 800; t += 33) m.observe(tilesOf(5, 3, 14, 8), t); // a 640 × 384 video at 30 fps
    expect(m.candidate(800, 1280, 720)).toEqual({ x: 320, y: 192, width: 640, height: 384 });
  });

  it('ignores typing: a few tiles changing a few times a second', () => {
    const m = new MotionClassifier(grid);
    for (let t = 0; t <= 800; t += 80) m.observe([{ col: 2 + ((t / 80) % 6), row: 4 }], t);
    expect(m.candidate(800, 1280, 720)).toBeUndefined();
  });

  it('ignores a small animation (a spinner) and forgets motion that stopped', () => {
    const m = new MotionClassifier(grid);
    for (let t = 0; t <= 800; t += 16) m.observe(tilesOf(1, 1, 2, 2), t);
    expect(m.candidate(800, 1280, 720)).toBeUndefined();
    for (let t = 0; t <= 800; t += 33) m.observe(tilesOf(5, 3, 14, 8), t);
    expect(m.candidate(800, 1280, 720)).toBeDefined();
    expect(m.candidate(2000, 1280, 720)).toBeUndefined();
  });

  it('clips the last column and row to the display', () => {
    const m = new MotionClassifier({ tileSize: 64, cols: 3, rows: 2 });
    for (let t = 0; t <= 800; t += 33) m.observe(tilesOf(0, 0, 2, 1), t);
    expect(new MotionClassifier({ ...grid, minTiles: 1 }).candidate(0, 1, 1)).toBeUndefined();
    const r = new MotionClassifier({ tileSize: 64, cols: 3, rows: 2, minTiles: 6 });
    for (let t = 0; t <= 800; t += 33) r.observe(tilesOf(0, 0, 2, 1), t);
    expect(r.candidate(800, 150, 100)).toEqual({ x: 0, y: 0, width: 150, height: 100 });
    expect(m.candidate(800, 150, 100)).toBeUndefined(); // fewer than 12 tiles
  });
});

describe('looksLikeText / iou', () => {
  it('tells flat text-like content from picture-like content', () => {
    const w = 64;
    const text = Buffer.alloc(w * w * 4, 0xff);
    for (let i = 0; i < 200; i++) text.writeUInt32LE(0x000000, ((i * 37) % (w * w)) * 4);
    expect(looksLikeText(text, w, { x: 0, y: 0, width: w, height: w })).toBe(true);
    const photo = Buffer.alloc(w * w * 4);
    for (let i = 0; i < w * w; i++) photo.writeUInt32LE((i * 2654435761) & 0xffffff, i * 4);
    expect(looksLikeText(photo, w, { x: 0, y: 0, width: w, height: w })).toBe(false);
  });

  it('measures overlap', () => {
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 0, y: 0, width: 10, height: 10 })).toBe(
      1,
    );
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 20, y: 0, width: 10, height: 10 })).toBe(
      0,
    );
    expect(
      iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 }),
    ).toBeCloseTo(50 / 150);
  });
});
