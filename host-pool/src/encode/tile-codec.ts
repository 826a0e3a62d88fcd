import { Compressor } from 'zstd-napi';
import type { EncodedTile } from '../types.ts';

/**
 * zstd level for tiles, chosen by measurement on 900 real captured tiles (bench/codec-bench.ts):
 * level 3 gives 1,051 B median per text/UI tile at 0.012 ms — 6 % smaller than level 1
 * (1,121 B, 0.010 ms), as small as deflate 6 at a fifth of its time; levels 6+ cost 3–150× the
 * time for under 4 % fewer bytes.
 */
export const DEFAULT_ZSTD_LEVEL = 3;

const compressors = new Map<number, Compressor>();

function compressorFor(level: number): Compressor {
  let c = compressors.get(level);
  if (!c) {
    c = new Compressor();
    // No checksum or dictionary id: 4–9 bytes less per tile; the stream is already framed.
    c.setParameters({ compressionLevel: level, checksumFlag: false, dictIDFlag: false });
    compressors.set(level, c);
  }
  return c;
}

/**
 * Losslessly encodes packed BGRX pixels (rows of `width × 4` bytes). Picks raw when zstd would
 * not make it smaller (noise-like content).
 */
export function encodeTilePixels(packed: Uint8Array, level = DEFAULT_ZSTD_LEVEL): EncodedTile {
  const compressed = compressorFor(level).compress(packed);
  if (compressed.length >= packed.length) return { codec: 'rawBgrx', data: packed };
  return { codec: 'zstdBgrx', data: compressed };
}
