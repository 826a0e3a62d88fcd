import type { CopyRect, FrameUpdate, GridConfig, TileUpdate } from '../types.ts';
import { diffRows, diffTiles } from './frame-diff.ts';
import { findScrollCandidates, RowHashes, type ScrollCandidate } from './scroll-detect.ts';
import { DEFAULT_ZSTD_LEVEL } from './tile-codec.ts';
import { EncodedTileCache, extractTile, makeTileUpdate } from './tile-factory.ts';
import { type Band, contains, gridFor, type Rect, TILE_SIZE, tileRect } from './tile-grid.ts';

/** Tuning of a frame encoder. */
export interface FrameEncoderOptions {
  readonly tileSize?: number;
  readonly zstdLevel?: number;
  /** Emit copy-rects for detected scrolls (default true). */
  readonly copyRects?: boolean;
  /** Fewest changed tiles before scroll detection is tried (default 8). */
  readonly scrollMinTiles?: number;
  /** Use a copy only if it leaves at most this share of the changed tiles (default 0.7). */
  readonly scrollMaxResidual?: number;
}

/** What the last `encodeChanges` did, for benchmarks and logs. */
export interface EncodeStats {
  changedRows: number;
  changedTiles: number;
  diffMs: number;
  scrollMs: number;
  tilesMs: number;
  copies: number;
  tiles: number;
  fills: number;
}

function now(): number {
  return performance.now();
}

function words(buf: Buffer): Uint32Array {
  return new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
}

/**
 * Turns successive frames of one display into {@link FrameUpdate}s. It keeps the picture clients
 * have (`shown`), compares each new frame to it only where damage says something changed, detects
 * scrolls, and describes the difference as copy-rects plus tiles. Frames are BGRX, `width × 4`
 * bytes per row, and must be 4-byte aligned.
 */
export class FrameEncoder {
  #grid: GridConfig;
  #shown: Buffer;
  #rowMarks: Uint8Array;
  #tiles: Array<TileUpdate | undefined>;
  /** Row hashes of `shown` kept across frames for scroll detection, and this frame's. */
  #shownRows: RowHashes;
  #frameRows: RowHashes;
  #seq = 0;
  #needsFull = true;
  readonly #cache = new EncodedTileCache();
  readonly #level: number;
  readonly #scrollMinTiles: number;
  readonly #scrollMaxResidual: number;
  /** Emit copy-rects; the relay turns this off while a client without `copyRect` is connected. */
  copyRects: boolean;
  readonly stats: EncodeStats = {
    changedRows: 0,
    changedTiles: 0,
    diffMs: 0,
    scrollMs: 0,
    tilesMs: 0,
    copies: 0,
    tiles: 0,
    fills: 0,
  };

  constructor(width: number, height: number, options: FrameEncoderOptions = {}) {
    this.#grid = gridFor(width, height, options.tileSize ?? TILE_SIZE);
    this.#shown = Buffer.alloc(width * height * 4);
    this.#rowMarks = new Uint8Array(height);
    this.#tiles = new Array(this.#grid.cols * this.#grid.rows);
    this.#shownRows = new RowHashes(height);
    this.#frameRows = new RowHashes(height);
    this.#level = options.zstdLevel ?? DEFAULT_ZSTD_LEVEL;
    this.copyRects = options.copyRects ?? true;
    this.#scrollMinTiles = options.scrollMinTiles ?? 8;
    this.#scrollMaxResidual = options.scrollMaxResidual ?? 0.7;
  }

  get grid(): GridConfig {
    return this.#grid;
  }

  /** Sequence number of the last update produced (0 before the first). */
  get seq(): number {
    return this.#seq;
  }

  /** The picture as a client that applied every update has it. */
  get shown(): Buffer {
    return this.#shown;
  }

  /** True until the next update is a full one (start, after a resize). */
  get needsFull(): boolean {
    return this.#needsFull;
  }

  /** Changes the display size; the next update must come from `encodeFull`. */
  resize(width: number, height: number): void {
    if (width === this.#grid.width && height === this.#grid.height) return;
    this.#grid = gridFor(width, height, this.#grid.tileSize);
    this.#shown = Buffer.alloc(width * height * 4);
    this.#rowMarks = new Uint8Array(height);
    this.#tiles = new Array(this.#grid.cols * this.#grid.rows);
    this.#shownRows = new RowHashes(height);
    this.#frameRows = new RowHashes(height);
    this.#needsFull = true;
  }

  /** A complete picture from `frame` (grid + every tile), which becomes the shown picture. */
  encodeFull(frame: Buffer, timestampUs: number): FrameUpdate {
    const { cols, rows } = this.#grid;
    const stride = this.#grid.width * 4;
    frame.copy(this.#shown, 0, 0, this.#shown.length);
    this.#shownRows.valid.fill(0);
    const tiles: TileUpdate[] = [];
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) tiles.push(this.#tileFrom(frame, stride, c, r));
    this.#needsFull = false;
    return {
      seq: ++this.#seq,
      timestampUs,
      grid: this.#grid,
      copies: [],
      tiles,
      full: true,
    };
  }

  /** An update with no changes (keeps `seq` moving when a consumer expects a frame). */
  encodeEmpty(timestampUs: number): FrameUpdate {
    return { seq: ++this.#seq, timestampUs, grid: undefined, copies: [], tiles: [], full: false };
  }

  /**
   * Compares `frame` to the shown picture inside the damaged `bands` (rows outside them must be
   * unchanged in `frame`) and returns the update, or undefined when no pixel changed.
   */
  encodeChanges(
    frame: Buffer,
    bands: readonly Band[],
    timestampUs: number,
  ): FrameUpdate | undefined {
    const { width, height, tileSize } = this.#grid;
    const stride = width * 4;
    const marks = this.#rowMarks;
    const st = this.stats;
    let t = now();
    this.#frameRows.valid.fill(0);
    let yMin = height;
    let yMax = 0;
    let changedRows = 0;
    for (const b of bands) {
      marks.fill(0, b.y0, b.y1);
      changedRows += diffRows(frame, this.#shown, stride, b.y0, b.y1, marks);
      yMin = Math.min(yMin, b.y0);
      yMax = Math.max(yMax, b.y1);
    }
    const dirty: number[] = [];
    if (changedRows > 0)
      diffTiles(frame, this.#shown, stride, width, height, tileSize, marks, yMin, yMax, dirty);
    st.changedRows = changedRows;
    st.changedTiles = dirty.length;
    st.diffMs = now() - t;
    st.scrollMs = 0;
    if (dirty.length === 0) {
      this.#syncShown(frame, bands);
      return undefined;
    }

    t = now();
    let copies: CopyRect[] = [];
    let send = dirty;
    if (this.copyRects && dirty.length >= this.#scrollMinTiles) {
      const best = this.#bestScroll(frame, bands, dirty);
      if (best) {
        copies = best.copies;
        send = best.tiles;
        this.#forgetCopied(best.candidate);
      }
    }
    st.scrollMs = now() - t;

    t = now();
    const tiles: TileUpdate[] = [];
    const cols = this.#grid.cols;
    let fills = 0;
    for (const index of send) {
      const tile = this.#tileFrom(frame, stride, index % cols, Math.floor(index / cols));
      if (tile.kind === 'fill') fills++;
      tiles.push(tile);
    }
    this.#syncShown(frame, bands);
    st.tilesMs = now() - t;
    st.copies = copies.length;
    st.tiles = tiles.length;
    st.fills = fills;
    return { seq: ++this.#seq, timestampUs, grid: undefined, copies, tiles, full: false };
  }

  /**
   * The whole shown picture as one full update (for a joining client); does not advance seq.
   * Tiles wholly inside `leaveOut` (a rectangle shown another way, as video) are not included.
   */
  snapshot(timestampUs: number, leaveOut?: Rect): FrameUpdate {
    const { cols, rows } = this.#grid;
    const tiles: TileUpdate[] = [];
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++)
        if (!leaveOut || !contains(leaveOut, tileRect(this.#grid, c, r)))
          tiles.push(this.tileAt(c, r) as TileUpdate);
    return { seq: this.#seq, timestampUs, grid: this.#grid, copies: [], tiles, full: true };
  }

  /** Tile (col, row) of the shown picture; undefined outside the grid. */
  tileAt(col: number, row: number): TileUpdate | undefined {
    const { cols, rows, width } = this.#grid;
    if (!Number.isInteger(col) || !Number.isInteger(row)) return undefined;
    if (col < 0 || row < 0 || col >= cols || row >= rows) return undefined;
    return this.#tiles[row * cols + col] ?? this.#tileFrom(this.#shown, width * 4, col, row);
  }

  #tileFrom(frame: Buffer, stride: number, col: number, row: number): TileUpdate {
    const rect = tileRect(this.#grid, col, row);
    const packed = extractTile(frame, stride, rect);
    const tile = makeTileUpdate(
      col,
      row,
      packed,
      rect.width,
      rect.height,
      this.#cache,
      this.#level,
    );
    this.#tiles[row * this.#grid.cols + col] = tile;
    return tile;
  }

  /** shown := frame in the bands; row hashes computed for this frame carry over. */
  #syncShown(frame: Buffer, bands: readonly Band[]): void {
    const stride = this.#grid.width * 4;
    for (const b of bands) {
      frame.copy(this.#shown, b.y0 * stride, b.y0 * stride, b.y1 * stride);
      this.#shownRows.adopt(this.#frameRows, b.y0, b.y1);
    }
  }

  /** Tiles under a copy destination no longer hold what their cached update says. */
  #forgetCopied(c: ScrollCandidate): void {
    const { tileSize, cols } = this.#grid;
    for (const run of c.runs) {
      for (let r = Math.floor(run.top / tileSize); r * tileSize < run.bottom; r++)
        for (let col = Math.floor(c.left / tileSize); col * tileSize < c.right; col++)
          this.#tiles[r * cols + col] = undefined;
    }
  }

  #bestScroll(
    frame: Buffer,
    bands: readonly Band[],
    dirty: number[],
  ): { candidate: ScrollCandidate; copies: CopyRect[]; tiles: number[] } | undefined {
    const { width, height } = this.#grid;
    let band = bands[0] as Band;
    for (const b of bands)
      if ((b.y1 - b.y0) * (b.x1 - b.x0) > (band.y1 - band.y0) * (band.x1 - band.x0)) band = b;
    const cur = words(frame);
    const prev = words(this.#shown);
    const candidates = findScrollCandidates(
      cur,
      prev,
      width,
      height,
      band,
      {},
      {
        prev: this.#shownRows,
        cur: this.#frameRows,
      },
    );
    let best: { candidate: ScrollCandidate; tiles: number[] } | undefined;
    for (const c of candidates) {
      const tiles = this.#residual(frame, c, dirty);
      if (!best || tiles.length < best.tiles.length) best = { candidate: c, tiles };
    }
    if (!best || best.tiles.length > dirty.length * this.#scrollMaxResidual) return undefined;
    const { dy, left, right } = best.candidate;
    const copies = best.candidate.runs.map((run) => ({
      srcX: left,
      srcY: run.top + dy,
      width: right - left,
      height: run.bottom - run.top,
      dstX: left,
      dstY: run.top,
    }));
    return { candidate: best.candidate, copies, tiles: best.tiles };
  }

  /**
   * Tiles of `frame` that differ from the shown picture after applying candidate `c`'s copies:
   * the tiles a client needs besides the copies. Row-first: one compare per row against its
   * prediction, per-tile compares only on rows that do not match.
   */
  #residual(frame: Buffer, c: ScrollCandidate, dirty: number[]): number[] {
    const { width, height, tileSize, cols, rows } = this.#grid;
    const stride = width * 4;
    const shown = this.#shown;
    const marks = this.#rowMarks;
    const shift = new Uint8Array(height);
    for (const run of c.runs) shift.fill(1, run.top, run.bottom);
    const cmp = (y: number, sy: number, x0: number, x1: number): boolean =>
      x1 <= x0 ||
      frame.compare(
        shown,
        sy * stride + x0 * 4,
        sy * stride + x1 * 4,
        y * stride + x0 * 4,
        y * stride + x1 * 4,
      ) === 0;
    // rows that differ from the prediction somewhere
    const bad = new Uint8Array(height);
    for (let y = 0; y < height; y++) {
      if (shift[y])
        bad[y] =
          cmp(y, y + c.dy, c.left, c.right) && cmp(y, y, 0, c.left) && cmp(y, y, c.right, width)
            ? 0
            : 1;
      else bad[y] = marks[y] as number;
    }
    const check = new Uint8Array(cols * rows);
    for (const i of dirty) check[i] = 1;
    for (const run of c.runs)
      for (let r = Math.floor(run.top / tileSize); r * tileSize < run.bottom; r++)
        for (let col = Math.floor(c.left / tileSize); col * tileSize < c.right; col++)
          check[r * cols + col] = 1;
    const out: number[] = [];
    for (let i = 0; i < check.length; i++) {
      if (!check[i]) continue;
      const tx0 = (i % cols) * tileSize;
      const tx1 = Math.min(width, tx0 + tileSize);
      const ty0 = Math.floor(i / cols) * tileSize;
      const ty1 = Math.min(height, ty0 + tileSize);
      let same = true;
      for (let y = ty0; y < ty1 && same; y++) {
        if (!bad[y]) continue;
        if (!shift[y]) same = cmp(y, y, tx0, tx1);
        else {
          const a = Math.max(tx0, c.left);
          const b = Math.min(tx1, c.right);
          same =
            a >= b
              ? cmp(y, y, tx0, tx1)
              : cmp(y, y + c.dy, a, b) && cmp(y, y, tx0, a) && cmp(y, y, b, tx1);
        }
      }
      if (!same) out.push(i);
    }
    return out;
  }
}
