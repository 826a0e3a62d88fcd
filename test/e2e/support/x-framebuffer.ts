import { XConnection } from '../../../host-pool/src/capture/index.ts';

/** The X server's picture of a session's display, as RGBA (what a client canvas must show). */
export async function grabDisplay(
  display: { display: string; auth: { name: string; data: string } },
  width: number,
  height: number,
): Promise<Buffer> {
  const conn = await XConnection.open(display.display, { auth: display.auth as never, shm: false });
  try {
    const bgrx = await conn.getImage(0, 0, width, height);
    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < rgba.length; i += 4) {
      rgba[i] = bgrx[i + 2] as number;
      rgba[i + 1] = bgrx[i + 1] as number;
      rgba[i + 2] = bgrx[i] as number;
      rgba[i + 3] = 255;
    }
    return rgba;
  } finally {
    await conn.close();
  }
}

/** Pixels that differ between two RGBA buffers of the same size. */
export function countDifferences(a: Buffer, b: Buffer): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  }
  return n;
}
