import { describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import {
  damageBands,
  EncodedTileCache,
  encodeTilePixels,
  extractTile,
  FrameEncoder,
  findScrollCandidates,
  gridFor,
  hash53,
  makeTileUpdate,
  tileRect,
} from '../src/encode/index.ts';
import type { FrameUpdate } from '../src/types.ts';
import { applyUpdate, type Picture, pixelDiff } from './helpers/apply-update.ts';

/** A deterministic "page": rows of pseudo-text on white, `offset` shifting it vertically. */
function page(width: number, height: number, offset = 0, headerRows = 0): Buffer {
  const buf = Buffer.alloc(width * height * 4);
  const w = new Uint32Array(buf.buffer, buf.byteOffset, width * height);
  for (let y = 0; y < height; y++) {
    const docY = y < headerRows ? -1 : y + offset;
    for (let x = 0; x < width; x++) {
      let v = 0xffffffff;
      if (docY < 0) v = 0xff3050a0 + ((x >> 5) & 1);
      else if (docY % 20 < 14 && x > 20 && x < width - 40) {
        const h = Math.imul(docY * 7919 + (x >> 3) * 104729, 0x9e3779b1) >>> 0;
        if (h % 3 === 0) v = 0xff000000 | (h & 0x7f7f7f);
      }
      w[y * width + x] = v;
    }
  }
  return buf;
}

function apply(pic: Picture | undefined, u: FrameUpdate): Picture {
  return applyUpdate(pic, u);
}

describe('tile hash', () => {
  it('is deterministic, non-zero, 53-bit and sensitive to every word and the salt', () => {
    const a = new Uint32Array(1024).map((_, i) => i * 2654435761);
    const h = hash53(a);
    expect(h).toBe(hash53(a.slice()));
    expect(h).toBeGreaterThan(0);
    expect(h).toBeLessThanOrEqual(2 ** 53 - 1);
    expect(Number.isInteger(h)).toBe(true);
    const seen = new Set<number>([h]);
    for (let i = 0; i < a.length; i += 37) {
      const b = a.slice();
      b[i] = (b[i] as number) ^ 1;
      seen.add(hash53(b));
    }
    expect(seen.size).toBe(1 + Math.ceil(a.length / 37));
    expect(hash53(a, 64 | (64 << 16))).not.toBe(h);
    expect(hash53(new Uint32Array(0))).toBeGreaterThan(0);
  });
});

describe('tile codec and tiles', () => {
  it('round-trips pixels through zstd and falls back to raw for noise', () => {
    const frame = page(128, 64);
    const packed = extractTile(frame, 128 * 4, { x: 64, y: 0, width: 64, height: 64 });
    const enc = encodeTilePixels(packed);
    expect(enc.codec).toBe('zstdBgrx');
    expect(Buffer.from(decompress(enc.data)).equals(packed)).toBe(true);
    const noise = Buffer.alloc(64 * 64 * 4);
    for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(Math.random() * 256);
    expect(encodeTilePixels(noise).codec).toBe('rawBgrx');
  });

  it('makes solid tiles fills (0xRRGGBBAA) and memoizes encodes through the shared cache', () => {
    const cache = new EncodedTileCache();
    const solid = Buffer.alloc(64 * 64 * 4);
    for (let i = 0; i < solid.length; i += 4) solid.writeUInt32LE(0xff102030, i);
    expect(makeTileUpdate(1, 2, solid, 64, 64, cache)).toEqual({
      kind: 'fill',
      col: 1,
      row: 2,
      rgba: 0x102030ff,
    });
    const frame = page(64, 64);
    const t1 = makeTileUpdate(0, 0, Buffer.from(frame), 64, 64, cache);
    const t2 = makeTileUpdate(3, 3, Buffer.from(frame), 64, 64, cache);
    if (t1.kind !== 'pixels' || t2.kind !== 'pixels') throw new Error('expected pixels');
    expect(t1.hash).toBe(t2.hash);
    const e1 = t1.encode();
    expect(t1.encode()).toBe(e1);
    expect(t2.encode()).toBe(e1);
    expect(cache.size).toBe(1);
  });

  it('clips edge tiles to the display', () => {
    const grid = gridFor(1000, 700);
    expect(grid).toEqual({ tileSize: 64, cols: 16, rows: 11, width: 1000, height: 700 });
    expect(tileRect(grid, 15, 10)).toEqual({ x: 960, y: 640, width: 40, height: 60 });
  });

  it('merges damage into few clipped row bands', () => {
    const bands = damageBands(
      [
        { x: 10, y: 100, width: 50, height: 18 },
        { x: 500, y: 110, width: 20, height: 30 },
        { x: -20, y: 600, width: 5000, height: 500 },
      ],
      1280,
      720,
    );
    expect(bands).toEqual([
      { y0: 100, y1: 140, x0: 10, x1: 520 },
      { y0: 600, y1: 720, x0: 0, x1: 1280 },
    ]);
  });
});

describe('scroll detection', () => {
  it('finds the shift of scrolled content below a fixed header', () => {
    const W = 640;
    const H = 480;
    const prev = page(W, H, 0, 80);
    const cur = page(W, H, 57, 80);
    const words = (b: Buffer) => new Uint32Array(b.buffer, b.byteOffset, b.length / 4);
    const [best] = findScrollCandidates(words(cur), words(prev), W, H, {
      y0: 80,
      y1: H,
      x0: 0,
      x1: W,
    });
    expect(best?.dy).toBe(57);
    expect(best?.runs[0]?.top).toBe(80);
    expect(best?.runs[0]?.bottom).toBe(H - 57);
  });
});

describe('FrameEncoder', () => {
  it('starts with a full picture and then sends only what changed', () => {
    const W = 300;
    const H = 200;
    const enc = new FrameEncoder(W, H);
    const first = page(W, H);
    const full = enc.encodeFull(first, 1);
    expect(full.full).toBe(true);
    expect(full.grid).toEqual(gridFor(W, H));
    expect(full.tiles).toHaveLength(5 * 4);
    let pic = apply(undefined, full);
    expect(pixelDiff(pic.data, first)).toBe(0);

    expect(enc.encodeChanges(first, [{ y0: 0, y1: H, x0: 0, x1: W }], 2)).toBeUndefined();
    const next = Buffer.from(first);
    next.writeUInt32LE(0xff00ff00, (130 * W + 270) * 4);
    const u = enc.encodeChanges(next, [{ y0: 130, y1: 131, x0: 270, x1: 271 }], 3);
    expect(u?.tiles.map((t) => [t.col, t.row])).toEqual([[4, 2]]);
    expect(u?.seq).toBe(2);
    pic = apply(pic, u as FrameUpdate);
    expect(pixelDiff(pic.data, next)).toBe(0);
    expect(pixelDiff(apply(undefined, enc.snapshot(4)).data, next)).toBe(0);
    expect(enc.snapshot(4).seq).toBe(2);
    const tile = enc.tileAt(4, 2);
    expect(tile?.kind).toBe('pixels');
    expect(enc.tileAt(5, 0)).toBeUndefined();
    expect(enc.tileAt(-1, 0)).toBeUndefined();
  });

  it('turns a scroll into copies plus few tiles, and the result is exact', () => {
    const W = 640;
    const H = 480;
    const enc = new FrameEncoder(W, H);
    let pic = apply(undefined, enc.encodeFull(page(W, H, 0, 64), 1));
    let dirtyWithoutCopy = 0;
    for (const [i, offset] of [40, 100, 60, 180].entries()) {
      const cur = page(W, H, offset, 64);
      const u = enc.encodeChanges(cur, [{ y0: 64, y1: H, x0: 0, x1: W }], i + 2);
      if (!u) throw new Error('expected an update');
      expect(u.copies.length).toBeGreaterThan(0);
      for (const c of u.copies) expect(c.dstY).toBeGreaterThanOrEqual(64);
      dirtyWithoutCopy = enc.stats.changedTiles;
      expect(u.tiles.length).toBeLessThan(dirtyWithoutCopy * 0.7);
      pic = apply(pic, u);
      expect(pixelDiff(pic.data, cur)).toBe(0);
    }
    enc.copyRects = false;
    const cur = page(W, H, 200, 64);
    const u = enc.encodeChanges(cur, [{ y0: 64, y1: H, x0: 0, x1: W }], 9) as FrameUpdate;
    expect(u.copies).toHaveLength(0);
    pic = apply(pic, u);
    expect(pixelDiff(pic.data, cur)).toBe(0);
  });

  it('needs a full update after a resize', () => {
    const enc = new FrameEncoder(200, 100);
    enc.encodeFull(page(200, 100), 1);
    expect(enc.needsFull).toBe(false);
    enc.resize(120, 90);
    expect(enc.needsFull).toBe(true);
    const u = enc.encodeFull(page(120, 90), 2);
    expect(u.grid).toEqual(gridFor(120, 90));
    expect(pixelDiff(apply(undefined, u).data, page(120, 90))).toBe(0);
  });
});
