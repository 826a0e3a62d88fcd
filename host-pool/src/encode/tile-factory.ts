import type { EncodedTile, TileUpdate } from '../types.ts';
import { DEFAULT_ZSTD_LEVEL, encodeTilePixels } from './tile-codec.ts';
import type { Rect } from './tile-grid.ts';
import { hash53 } from './tile-hash.ts';

/** Encoded tiles by content hash, shared by every update so a repeated tile compresses once. */
export class EncodedTileCache {
  readonly #map = new Map<number, EncodedTile>();
  readonly #limit: number;

  constructor(limit = 4096) {
    this.#limit = limit;
  }

  get(hash: number): EncodedTile | undefined {
    const hit = this.#map.get(hash);
    if (hit) {
      this.#map.delete(hash);
      this.#map.set(hash, hit);
    }
    return hit;
  }

  set(hash: number, tile: EncodedTile): void {
    this.#map.set(hash, tile);
    if (this.#map.size > this.#limit) {
      const oldest = this.#map.keys().next().value as number;
      this.#map.delete(oldest);
    }
  }

  get size(): number {
    return this.#map.size;
  }
}

/** Copies the pixels of `rect` out of a frame into a packed, 4-byte-aligned buffer. */
export function extractTile(frame: Buffer, stride: number, rect: Rect): Buffer {
  const rowBytes = rect.width * 4;
  const out = Buffer.allocUnsafeSlow(rowBytes * rect.height);
  let src = rect.y * stride + rect.x * 4;
  for (let r = 0, dst = 0; r < rect.height; r++, dst += rowBytes, src += stride)
    frame.copy(out, dst, src, src + rowBytes);
  return out;
}

/** BGRX pixel word (little-endian) → the wire's 0xRRGGBBAA with opaque alpha. */
export function bgrxToRgba(word: number): number {
  const b = word & 0xff;
  const g = (word >>> 8) & 0xff;
  const r = (word >>> 16) & 0xff;
  return ((r << 24) | (g << 16) | (b << 8) | 0xff) >>> 0;
}

/**
 * Builds the update for one tile from its packed pixels: `fill` when every pixel has the same
 * colour (the padding byte is ignored), otherwise `pixels` with a content hash and a memoized
 * encoder that consults the shared cache first.
 */
export function makeTileUpdate(
  col: number,
  row: number,
  packed: Buffer,
  width: number,
  height: number,
  cache: EncodedTileCache,
  level = DEFAULT_ZSTD_LEVEL,
): TileUpdate {
  const words = new Uint32Array(packed.buffer, packed.byteOffset, packed.length >>> 2);
  const first = (words[0] as number) & 0xffffff;
  let solid = true;
  for (let i = 1; i < words.length; i++) {
    if (((words[i] as number) & 0xffffff) !== first) {
      solid = false;
      break;
    }
  }
  if (solid) return { kind: 'fill', col, row, rgba: bgrxToRgba(first) };
  const hash = hash53(words, width | (height << 16));
  let pixels: Buffer | undefined = packed;
  let encoded: EncodedTile | undefined;
  return {
    kind: 'pixels',
    col,
    row,
    hash,
    encode(): EncodedTile {
      if (encoded) return encoded;
      encoded = cache.get(hash);
      if (!encoded) {
        encoded = encodeTilePixels(pixels as Buffer, level);
        cache.set(hash, encoded);
      }
      pixels = undefined;
      return encoded;
    },
  };
}
