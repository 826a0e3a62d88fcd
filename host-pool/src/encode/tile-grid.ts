import type { GridConfig } from '../types.ts';

/** Tile edge in pixels (the protocol allows 16…256; 64 is what was measured). */
export const TILE_SIZE = 64;

/** The grid covering a `width × height` display; edge tiles are clipped. */
export function gridFor(width: number, height: number, tileSize = TILE_SIZE): GridConfig {
  return {
    tileSize,
    cols: Math.ceil(width / tileSize),
    rows: Math.ceil(height / tileSize),
    width,
    height,
  };
}

/** A pixel rectangle. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The display rectangle of tile (col, row). Edge tiles are clipped to the display: a tile in the
 * last column is `width − col × tileSize` pixels wide, and its encoded pixels are exactly that
 * wide (rows of `rect.width × 4` bytes, no padding).
 */
export function tileRect(grid: GridConfig, col: number, row: number): Rect {
  const x = col * grid.tileSize;
  const y = row * grid.tileSize;
  return {
    x,
    y,
    width: Math.min(grid.tileSize, grid.width - x),
    height: Math.min(grid.tileSize, grid.height - y),
  };
}

/** Whether `inner` lies wholly inside `outer`. */
export function contains(outer: Rect, inner: Rect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

/** Clips `r` to the display; undefined when nothing is left. */
export function clipRect(r: Rect, width: number, height: number): Rect | undefined {
  const x0 = Math.max(0, r.x);
  const y0 = Math.max(0, r.y);
  const x1 = Math.min(width, r.x + r.width);
  const y1 = Math.min(height, r.y + r.height);
  if (x1 <= x0 || y1 <= y0) return undefined;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** A horizontal band of rows [y0, y1) with damage in columns [x0, x1). */
export interface Band {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/**
 * Merges damage rectangles into few row bands (rows are what capture grabs and the differ
 * compares). Bands closer than `gap` rows merge; at most `maxBands` remain.
 */
export function damageBands(
  rects: readonly Rect[],
  width: number,
  height: number,
  gap = 32,
  maxBands = 6,
): Band[] {
  const clipped: Band[] = [];
  for (const r of rects) {
    const c = clipRect(r, width, height);
    if (c) clipped.push({ y0: c.y, y1: c.y + c.height, x0: c.x, x1: c.x + c.width });
  }
  clipped.sort((a, b) => a.y0 - b.y0);
  const bands: Band[] = [];
  for (const b of clipped) {
    const last = bands[bands.length - 1];
    if (last && b.y0 <= last.y1 + gap) {
      last.y1 = Math.max(last.y1, b.y1);
      last.x0 = Math.min(last.x0, b.x0);
      last.x1 = Math.max(last.x1, b.x1);
    } else bands.push({ ...b });
  }
  while (bands.length > maxBands) {
    let best = 0;
    let bestGap = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 1 < bands.length; i++) {
      const g = (bands[i + 1] as Band).y0 - (bands[i] as Band).y1;
      if (g < bestGap) {
        bestGap = g;
        best = i;
      }
    }
    const a = bands[best] as Band;
    const b = bands[best + 1] as Band;
    bands.splice(best, 2, {
      y0: a.y0,
      y1: Math.max(a.y1, b.y1),
      x0: Math.min(a.x0, b.x0),
      x1: Math.max(a.x1, b.x1),
    });
  }
  return bands;
}
