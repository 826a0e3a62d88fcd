/**
 * Vertical scroll detection on 32-bit pixel frames: hash each row of the damaged region in the
 * previous and the current frame, vote for the shift that maps current rows onto previous rows,
 * then find the row runs where that shift holds. Only a guess: the encoder checks every guess
 * against the real pixels (tiles that differ from the shifted picture are sent), so a wrong
 * guess costs bytes, never correctness.
 */

/** One proposed shift: current rows [top, bottom) equal previous rows [top + dy, bottom + dy). */
export interface ScrollRun {
  readonly top: number;
  readonly bottom: number;
}

/** One proposed vertical shift and the rows it covers. */
export interface ScrollCandidate {
  /** Current row y shows what previous row y + dy showed (dy > 0: content moved up). */
  readonly dy: number;
  /** Columns the shift covers. */
  readonly left: number;
  readonly right: number;
  /** Disjoint row runs where the shift holds, in application order. */
  readonly runs: readonly ScrollRun[];
  readonly votes: number;
}

/** The damaged region to search: rows [y0, y1), columns [x0, x1). */
export interface ScrollRegion {
  readonly y0: number;
  readonly y1: number;
  readonly x0: number;
  readonly x1: number;
}

/** Limits of the shift search. */
export interface ScrollDetectOptions {
  /** Largest |dy| considered (default: region height − 2 × minRun, at most 600). */
  readonly maxDy?: number;
  /** Candidates returned, best first (default 3). */
  readonly maxCandidates?: number;
  /** Shortest run worth a copy, in rows (default 24). */
  readonly minRun?: number;
}

/** Pixels trimmed from the right of the hashed span so a moving scrollbar thumb does not vote. */
const SCROLLBAR_TRIM = 24;
/** Rows whose hash occurs more often than this in the previous frame are too repetitive to vote. */
const MAX_BUCKET = 12;

/**
 * Hash of pixels [xw0, xw1) of each row in [y0, y1) into `hashes[y - y0]`; `uniform[y - y0]` is 1
 * when the row segment is a single colour (such rows match anything of that colour, so they do
 * not vote).
 */
export function hashRows(
  words: Uint32Array,
  strideWords: number,
  y0: number,
  y1: number,
  xw0: number,
  xw1: number,
  hashes: Int32Array,
  uniform: Uint8Array,
): void {
  for (let y = y0; y < y1; y++) {
    let i = y * strideWords + xw0;
    const end = y * strideWords + xw1;
    const first = words[i] as number;
    let h1 = 0x2545f491 ^ first;
    let h2 = 0x9e3779b9;
    let same = 1;
    for (; i + 1 < end; i += 2) {
      const a = words[i] as number;
      const b = words[i + 1] as number;
      h1 = Math.imul(h1 ^ a, 0x01000193);
      h2 = Math.imul(h2 ^ b, 0x5bd1e995);
      if (a !== first || b !== first) same = 0;
    }
    if (i < end) {
      const a = words[i] as number;
      h1 = Math.imul(h1 ^ a, 0x01000193);
      if (a !== first) same = 0;
    }
    hashes[y - y0] = (h1 ^ Math.imul(h2 ^ (h2 >>> 15), 0x85ebca77)) | 0;
    uniform[y - y0] = same;
  }
}

/** Pixels of a region's width that row hashes cover: all but the scrollbar strip on the right. */
export function hashedSpan(region: ScrollRegion): { x0: number; x1: number } {
  const x1 = region.x1 - region.x0 > SCROLLBAR_TRIM * 4 ? region.x1 - SCROLLBAR_TRIM : region.x1;
  return { x0: region.x0, x1 };
}

/**
 * Row hashes of one frame over a column span, computed on demand and kept until invalidated, so
 * the previous frame's rows are not hashed again on every scroll frame.
 */
export class RowHashes {
  readonly hashes: Int32Array;
  readonly uniform: Uint8Array;
  readonly valid: Uint8Array;
  x0 = 0;
  x1 = 0;

  constructor(height: number) {
    this.hashes = new Int32Array(height);
    this.uniform = new Uint8Array(height);
    this.valid = new Uint8Array(height);
  }

  /** Switches to another column span (dropping every hash) if it differs. */
  span(x0: number, x1: number): void {
    if (x0 === this.x0 && x1 === this.x1) return;
    this.x0 = x0;
    this.x1 = x1;
    this.valid.fill(0);
  }

  /** Hashes the rows of [y0, y1) that are not known yet. */
  ensure(words: Uint32Array, strideWords: number, y0: number, y1: number): void {
    let y = y0;
    while (y < y1) {
      if (this.valid[y]) {
        y++;
        continue;
      }
      let end = y + 1;
      while (end < y1 && !this.valid[end]) end++;
      hashRows(
        words,
        strideWords,
        y,
        end,
        this.x0,
        this.x1,
        this.hashes.subarray(y),
        this.uniform.subarray(y),
      );
      this.valid.fill(1, y, end);
      y = end;
    }
  }

  invalidate(y0: number, y1: number): void {
    this.valid.fill(0, y0, y1);
  }

  /** Takes over the rows [y0, y1) of `other` (same span). */
  adopt(other: RowHashes, y0: number, y1: number): void {
    if (other.x0 !== this.x0 || other.x1 !== this.x1) {
      this.invalidate(y0, y1);
      return;
    }
    this.hashes.set(other.hashes.subarray(y0, y1), y0);
    this.uniform.set(other.uniform.subarray(y0, y1), y0);
    this.valid.set(other.valid.subarray(y0, y1), y0);
  }
}

/**
 * Proposes vertical shifts that turn `prev` into `cur` inside `region` (a damaged band). Both
 * frames are `height` rows of `strideWords` 32-bit pixels.
 */
export function findScrollCandidates(
  cur: Uint32Array,
  prev: Uint32Array,
  strideWords: number,
  height: number,
  region: ScrollRegion,
  options: ScrollDetectOptions = {},
  hashes: { prev?: RowHashes; cur?: RowHashes } = {},
): ScrollCandidate[] {
  const { y0, y1, x0, x1 } = region;
  const regionHeight = y1 - y0;
  const minRun = options.minRun ?? 24;
  // a shift is only worth a copy while some rows survive it
  const maxDy = Math.min(options.maxDy ?? 600, regionHeight - 2 * minRun);
  const span = hashedSpan(region);
  if (regionHeight < 2 * minRun || span.x1 - span.x0 < 32 || maxDy < 1) return [];

  const curRows = hashes.cur ?? new RowHashes(height);
  curRows.span(span.x0, span.x1);
  curRows.ensure(cur, strideWords, y0, y1);
  const p0 = Math.max(0, y0 - maxDy);
  const p1 = Math.min(height, y1 + maxDy);
  const prevRows = hashes.prev ?? new RowHashes(height);
  prevRows.span(span.x0, span.x1);
  prevRows.ensure(prev, strideWords, p0, p1);
  const curHash = curRows.hashes;
  const curUniform = curRows.uniform;
  const prevHash = prevRows.hashes;
  const prevUniform = prevRows.uniform;

  const byHash = new Map<number, number[]>();
  for (let y = p0; y < p1; y++) {
    if (prevUniform[y]) continue;
    const h = prevHash[y] as number;
    const list = byHash.get(h);
    if (list) list.push(y);
    else byHash.set(h, [y]);
  }

  const votes = new Map<number, number>();
  let informative = 0;
  for (let y = y0; y < y1; y++) {
    if (curUniform[y]) continue;
    informative++;
    const list = byHash.get(curHash[y] as number);
    if (!list || list.length > MAX_BUCKET) continue;
    for (const py of list) {
      const dy = py - y;
      if (dy !== 0 && dy >= -maxDy && dy <= maxDy) votes.set(dy, (votes.get(dy) ?? 0) + 1);
    }
  }
  const minVotes = Math.max(8, Math.floor(informative * 0.1));
  const ranked = [...votes.entries()]
    .filter(([, v]) => v >= minVotes)
    .sort((a, b) => b[1] - a[1] || Math.abs(a[0]) - Math.abs(b[0]))
    .slice(0, options.maxCandidates ?? 3);

  const out: ScrollCandidate[] = [];
  for (const [dy, v] of ranked) {
    const runs: ScrollRun[] = [];
    let runStart = -1;
    let lastMatch = -1;
    const flush = (): void => {
      if (runStart >= 0 && lastMatch + 1 - runStart >= minRun)
        runs.push({ top: runStart, bottom: lastMatch + 1 });
      runStart = -1;
    };
    for (let y = y0; y < y1; y++) {
      const py = y + dy;
      const match = py >= p0 && py < p1 && (prevHash[py] as number) === (curHash[y] as number);
      if (match) {
        if (runStart < 0) runStart = y;
        lastMatch = y;
      } else if (runStart >= 0 && y - lastMatch > 2) flush();
    }
    flush();
    if (runs.length === 0) continue;
    // Copies run in order and each reads the picture the previous ones left: with content
    // moving up (dy > 0) sources lie below destinations, so go top-down; otherwise bottom-up.
    if (dy < 0) runs.reverse();
    out.push({ dy, left: x0, right: x1, runs, votes: v });
  }
  return out;
}
