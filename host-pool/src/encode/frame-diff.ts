/**
 * Change detection between two frames of the same size (BGRX, `stride` bytes per row): first
 * whole rows with one memcmp each (cheap when little changed), then per-tile row segments only
 * inside tile rows that have a changed row.
 */

/** Marks `rows[y] = 1` for every row in [y0, y1) that differs; returns how many differ. */
export function diffRows(
  cur: Buffer,
  prev: Buffer,
  stride: number,
  y0: number,
  y1: number,
  rows: Uint8Array,
): number {
  let count = 0;
  for (let y = y0; y < y1; y++) {
    const s = y * stride;
    if (cur.compare(prev, s, s + stride, s, s + stride) !== 0) {
      rows[y] = 1;
      count++;
    }
  }
  return count;
}

/**
 * Tiles whose pixels differ, given the changed-row marks. `out` receives tile indices
 * (row × cols + col) in row-major order.
 */
export function diffTiles(
  cur: Buffer,
  prev: Buffer,
  stride: number,
  width: number,
  height: number,
  tileSize: number,
  rows: Uint8Array,
  y0: number,
  y1: number,
  out: number[],
): void {
  const cols = Math.ceil(width / tileSize);
  const firstRow = Math.floor(y0 / tileSize);
  const lastRow = Math.floor((Math.min(y1, height) - 1) / tileSize);
  for (let tr = firstRow; tr <= lastRow; tr++) {
    const ty0 = tr * tileSize;
    const ty1 = Math.min(height, ty0 + tileSize);
    let any = false;
    for (let y = ty0; y < ty1; y++)
      if (rows[y]) {
        any = true;
        break;
      }
    if (!any) continue;
    for (let tc = 0; tc < cols; tc++) {
      const xb0 = tc * tileSize * 4;
      const xb1 = Math.min(width, (tc + 1) * tileSize) * 4;
      for (let y = ty0; y < ty1; y++) {
        if (!rows[y]) continue;
        const s = y * stride;
        if (cur.compare(prev, s + xb0, s + xb1, s + xb0, s + xb1) !== 0) {
          out.push(tr * cols + tc);
          break;
        }
      }
    }
  }
}
