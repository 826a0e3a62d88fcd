import { describe, expect, it } from 'vitest';
import { compress } from 'zstd-napi';
import { sampleTile, warmTileDecoder } from './decode-warmup.ts';
import { decodeTile, TileDecodeError } from './tile-decoder.ts';

function bgrxTile(w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) out.set([i & 0xff, (i >> 8) & 0xff, 200, 0], i * 4);
  return out;
}

describe('decodeTile', () => {
  it('turns raw BGRX into opaque RGBA, at any byte offset', () => {
    const tile = bgrxTile(3, 2);
    for (const offset of [0, 1, 2, 3, 5]) {
      const padded = new Uint8Array(tile.length + offset);
      padded.set(tile, offset);
      const rgba = decodeTile('rawBgrx', padded.subarray(offset), 3, 2);
      expect(Array.from(rgba.slice(4, 8)), `offset ${offset}`).toEqual([200, 0, 1, 255]);
    }
  });

  it('decodes zstd tiles as the host encodes them', () => {
    const tile = bgrxTile(64, 64);
    const rgba = decodeTile('zstdBgrx', compress(Buffer.from(tile)), 64, 64);
    expect(rgba.length).toBe(64 * 64 * 4);
    expect(Array.from(rgba.slice(0, 4))).toEqual([200, 0, 0, 255]);
    expect(Array.from(rgba.slice(-4))).toEqual([200, 15, 255, 255]);
  });

  it('rejects a tile of the wrong size and corrupt zstd with a typed error', () => {
    expect(() => decodeTile('rawBgrx', new Uint8Array(10), 3, 2)).toThrow(TileDecodeError);
    expect(() => decodeTile('zstdBgrx', Uint8Array.of(1, 2, 3, 4, 5), 3, 2)).toThrow(
      TileDecodeError,
    );
  });
});

describe("the decode worker's warm-up tile", () => {
  it('is a real tile of the host codec: a white first row, dark strokes below', () => {
    const rgba = decodeTile('zstdBgrx', sampleTile(), 64, 64);
    expect(Array.from(rgba.slice(0, 4))).toEqual([255, 255, 255, 255]);
    let dark = 0;
    for (let i = 0; i < rgba.length; i += 4) if ((rgba[i + 1] as number) < 200) dark++;
    expect(dark, 'stroke pixels').toBeGreaterThan(100);
    expect(warmTileDecoder(3)).toBeGreaterThanOrEqual(0);
  });
});
