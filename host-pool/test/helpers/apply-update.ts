import { decompress } from 'zstd-napi';
import type { FrameUpdate, GridConfig } from '../../src/types.ts';

/** A client's picture: BGRX pixels, `width × 4` bytes per row. */
export interface Picture {
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}

/**
 * The reference client: applies an update to a picture exactly as the protocol says — a grid
 * resets the picture, copies run in order (each reads what the previous ones left, memmove
 * semantics within one copy), then tiles draw at their grid position clipped to the display.
 */
export function applyUpdate(picture: Picture | undefined, update: FrameUpdate): Picture {
  let pic = picture;
  const grid: GridConfig | undefined = update.grid;
  if (grid)
    pic = {
      width: grid.width,
      height: grid.height,
      data: Buffer.alloc(grid.width * grid.height * 4),
    };
  if (!pic) throw new Error('first update must carry a grid');
  const stride = pic.width * 4;
  for (const c of update.full ? [] : update.copies) {
    const tmp = Buffer.alloc(c.width * c.height * 4);
    for (let y = 0; y < c.height; y++)
      pic.data.copy(
        tmp,
        y * c.width * 4,
        (c.srcY + y) * stride + c.srcX * 4,
        (c.srcY + y) * stride + (c.srcX + c.width) * 4,
      );
    for (let y = 0; y < c.height; y++)
      tmp.copy(
        pic.data,
        (c.dstY + y) * stride + c.dstX * 4,
        y * c.width * 4,
        (y + 1) * c.width * 4,
      );
  }
  const ts = grid?.tileSize ?? 64;
  for (const t of update.tiles) {
    const x0 = t.col * ts;
    const y0 = t.row * ts;
    const w = Math.min(ts, pic.width - x0);
    const h = Math.min(ts, pic.height - y0);
    if (t.kind === 'fill') {
      const r = (t.rgba >>> 24) & 0xff;
      const g = (t.rgba >>> 16) & 0xff;
      const b = (t.rgba >>> 8) & 0xff;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const o = (y0 + y) * stride + (x0 + x) * 4;
          pic.data[o] = b;
          pic.data[o + 1] = g;
          pic.data[o + 2] = r;
          pic.data[o + 3] = 0;
        }
      continue;
    }
    const enc = t.encode();
    const raw = enc.codec === 'zstdBgrx' ? decompress(enc.data) : Buffer.from(enc.data);
    if (raw.length !== w * h * 4)
      throw new Error(`tile ${t.col},${t.row}: ${raw.length} bytes for ${w}x${h}`);
    for (let y = 0; y < h; y++)
      raw.copy(pic.data, (y0 + y) * stride + x0 * 4, y * w * 4, (y + 1) * w * 4);
  }
  return pic;
}

/** Number of pixels whose colour differs (the padding byte is ignored). */
export function pixelDiff(a: Buffer, b: Buffer): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 4)
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  return n;
}
