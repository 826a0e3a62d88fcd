import { decompress } from 'fzstd';

export type TileCodec = 'zstdBgrx' | 'rawBgrx';

export class TileDecodeError extends Error {
  override readonly name = 'TileDecodeError';
}

/**
 * Decodes a tile to RGBA. Tiles travel as B, G, R, X bytes (the X server's layout); the client
 * swaps to R, G, B and sets alpha opaque. `width × height` is the tile clipped to the display.
 */
export function decodeTile(
  codec: TileCodec,
  data: Uint8Array,
  width: number,
  height: number,
): Uint8ClampedArray<ArrayBuffer> {
  const expected = width * height * 4;
  let bgrx: Uint8Array;
  if (codec === 'rawBgrx') bgrx = data;
  else {
    try {
      bgrx = decompress(data, new Uint8Array(expected));
    } catch (err) {
      throw new TileDecodeError(`zstd: ${(err as Error).message}`);
    }
  }
  if (bgrx.byteLength !== expected) {
    throw new TileDecodeError(`tile has ${bgrx.byteLength} bytes, expected ${expected}`);
  }
  const rgba = new Uint8ClampedArray(expected);
  if (bgrx.byteOffset % 4 === 0) {
    const src = new Uint32Array(bgrx.buffer, bgrx.byteOffset, expected / 4);
    const dst = new Uint32Array(rgba.buffer);
    // Little-endian word BGRX = 0xXXRRGGBB; RGBA word = 0xFFBBGGRR.
    for (let i = 0; i < src.length; i++) {
      const v = src[i] as number;
      dst[i] = 0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >>> 16) & 0xff);
    }
  } else {
    for (let i = 0; i < expected; i += 4) {
      rgba[i] = bgrx[i + 2] as number;
      rgba[i + 1] = bgrx[i + 1] as number;
      rgba[i + 2] = bgrx[i] as number;
      rgba[i + 3] = 255;
    }
  }
  return rgba;
}
