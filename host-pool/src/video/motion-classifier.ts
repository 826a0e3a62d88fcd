import type { Rect } from '../encode/tile-grid.ts';

export interface MotionOptions {
  readonly tileSize: number;
  readonly cols: number;
  readonly rows: number;
  /** How far back change rates look. */
  readonly windowMs?: number;
  /** Changes per second for a tile to count as moving (video is 24–60, typing 1–5). */
  readonly movingRate?: number;
  /** Smallest moving area worth video: tiles (default 12, e.g. 4 × 3 = 256 × 192 px). */
  readonly minTiles?: number;
}

const SLOTS = 32;

/**
 * Tracks, per tile, when its content last changed, and finds the largest connected area of tiles
 * changing at video rates. Typing and scrolling change tiles in bursts or move them along; a
 * playing video or animated canvas changes the same tiles continuously, which is what this finds.
 */
export class MotionClassifier {
  private readonly times: Float64Array;
  private readonly next: Uint8Array;
  private readonly windowMs: number;
  private readonly movingRate: number;
  private readonly minTiles: number;

  constructor(private readonly options: MotionOptions) {
    this.times = new Float64Array(options.cols * options.rows * SLOTS).fill(
      Number.NEGATIVE_INFINITY,
    );
    this.next = new Uint8Array(options.cols * options.rows);
    this.windowMs = options.windowMs ?? 800;
    this.movingRate = options.movingRate ?? 12;
    this.minTiles = options.minTiles ?? 12;
  }

  /** Records that these tiles changed at `nowMs`. */
  observe(tiles: ReadonlyArray<{ col: number; row: number }>, nowMs: number): void {
    const { cols, rows } = this.options;
    for (const { col, row } of tiles) {
      if (col < 0 || row < 0 || col >= cols || row >= rows) continue;
      const t = row * cols + col;
      const slot = this.next[t] as number;
      this.times[t * SLOTS + slot] = nowMs;
      this.next[t] = (slot + 1) % SLOTS;
    }
  }

  /** Tiles changing at video rates now, as a grid mask. */
  moving(nowMs: number): Uint8Array {
    const { cols, rows } = this.options;
    const out = new Uint8Array(cols * rows);
    const since = nowMs - this.windowMs;
    const needed = Math.max(2, Math.floor((this.movingRate * this.windowMs) / 1000));
    for (let t = 0; t < cols * rows; t++) {
      let n = 0;
      for (let s = 0; s < SLOTS; s++) if ((this.times[t * SLOTS + s] as number) >= since) n++;
      if (n >= needed) out[t] = 1;
    }
    return out;
  }

  /** The bounding box (pixels, tile-aligned) of the largest connected moving area, if big enough. */
  candidate(nowMs: number, width: number, height: number): Rect | undefined {
    const { cols, rows, tileSize } = this.options;
    const mask = this.moving(nowMs);
    const seen = new Uint8Array(cols * rows);
    let best: { n: number; c0: number; r0: number; c1: number; r1: number } | undefined;
    for (let start = 0; start < cols * rows; start++) {
      if (!mask[start] || seen[start]) continue;
      const stack = [start];
      seen[start] = 1;
      let n = 0;
      let c0 = cols;
      let r0 = rows;
      let c1 = -1;
      let r1 = -1;
      while (stack.length) {
        const t = stack.pop() as number;
        const c = t % cols;
        const r = Math.floor(t / cols);
        n++;
        c0 = Math.min(c0, c);
        c1 = Math.max(c1, c);
        r0 = Math.min(r0, r);
        r1 = Math.max(r1, r);
        for (const [dc, dr] of [
          [1, 0],
          [-1, 0],
          [0, 1],
          [0, -1],
          [1, 1],
          [-1, -1],
          [1, -1],
          [-1, 1],
        ] as const) {
          const nc = c + dc;
          const nr = r + dr;
          if (nc < 0 || nr < 0 || nc >= cols || nr >= rows) continue;
          const u = nr * cols + nc;
          if (mask[u] && !seen[u]) {
            seen[u] = 1;
            stack.push(u);
          }
        }
      }
      if (!best || n > best.n) best = { n, c0, r0, c1, r1 };
    }
    if (!best || best.n < this.minTiles) return undefined;
    const x = best.c0 * tileSize;
    const y = best.r0 * tileSize;
    return {
      x,
      y,
      width: Math.min(width, (best.c1 + 1) * tileSize) - x,
      height: Math.min(height, (best.r1 + 1) * tileSize) - y,
    };
  }
}

/** Intersection over union of two rectangles. */
export function iou(a: Rect, b: Rect): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Whether a region looks like text or UI rather than pictures: few distinct colours among a
 * sample of its pixels (anti-aliased text on a flat background has tens, video has hundreds).
 * Video is never used for text-like content.
 */
export function looksLikeText(
  frame: Buffer,
  frameWidth: number,
  r: Rect,
  maxColors = 160,
): boolean {
  const colors = new Set<number>();
  const step = Math.max(1, Math.floor(Math.sqrt((r.width * r.height) / 4096)));
  for (let y = r.y; y < r.y + r.height; y += step) {
    for (let x = r.x; x < r.x + r.width; x += step) {
      const at = (y * frameWidth + x) * 4;
      colors.add(frame.readUInt32LE(at) & 0xffffff);
      if (colors.size > maxColors) return false;
    }
  }
  return true;
}
