import { FrameEncoder } from '../encode/frame-encoder.ts';
import { damageBands, type Rect } from '../encode/tile-grid.ts';
import { observeEncode } from '../metrics/traffic.ts';
import type { FrameSource, FrameUpdate, GridConfig, TileUpdate } from '../types.ts';
import { DamageTracker } from './damage-tracker.ts';
import { CaptureError } from './errors.ts';
import { FramePacer } from './frame-pacer.ts';
import { ScreenGrabber } from './screen-grabber.ts';
import { XConnection } from './x11/connection.ts';

/** Where and how a display frame source captures. */
export interface DisplayFrameSourceOptions {
  /** X display, e.g. `:101`. */
  readonly display: string;
  /** The display's cookie when it was started with `-auth` (SessionRuntime.xAuthCookie). */
  readonly auth?: { readonly name: string; readonly data: string };
  /** Frame slot in ms (default 33). */
  readonly slotMs?: number;
  readonly tileSize?: number;
  readonly zstdLevel?: number;
  /** Use MIT-SHM (default true; falls back to core GetImage by itself when unusable). */
  readonly shm?: boolean;
  /** Emit copy-rects for scrolls (default true; switchable with `setCopyRects`). */
  readonly copyRects?: boolean;
}

/** What one capture grabbed, handed to taps before the tile encoder sees (and masks) it. */
export interface GrabbedFrame {
  /** The whole frame, B, G, R, X, rows of `width × 4` bytes; fresh only inside `rows`. */
  readonly frame: Buffer;
  readonly width: number;
  readonly height: number;
  /** Row ranges grabbed this time. */
  readonly rows: ReadonlyArray<{ readonly y0: number; readonly y1: number }>;
  readonly timestampUs: number;
}

/** Timing of the last capture, for benchmarks. */
export interface CaptureTiming {
  grabMs: number;
  encodeMs: number;
  rows: number;
}

function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * The {@link FrameSource} of one X display: DAMAGE wakes a paced capture, MIT-SHM grabs the
 * damaged rows, the {@link FrameEncoder} diffs them against what clients have and produces the
 * update. A RANDR size change produces a full update with the new grid.
 *
 * Consumers start from `snapshot()` and then apply every `onFrame` update in order.
 */
export class DisplayFrameSource implements FrameSource {
  readonly #conn: XConnection;
  readonly #grabber: ScreenGrabber;
  readonly #damage: DamageTracker;
  readonly #encoder: FrameEncoder;
  readonly #pacer: FramePacer;
  readonly #listeners = new Set<(u: FrameUpdate) => void>();
  readonly #closeListeners = new Set<(err: CaptureError | undefined) => void>();
  readonly #grabListeners = new Set<(grab: GrabbedFrame) => void>();
  #mask: Rect | undefined;
  #pending: Rect[] = [];
  #resizePending = false;
  #failures = 0;
  #active = true;
  #resumed = false;
  #closed = false;
  readonly timing: CaptureTiming = { grabMs: 0, encodeMs: 0, rows: 0 };

  private constructor(
    conn: XConnection,
    grabber: ScreenGrabber,
    damage: DamageTracker,
    encoder: FrameEncoder,
    slotMs: number,
    earlyDamage: Rect[],
    resizedEarly: boolean,
  ) {
    this.#conn = conn;
    this.#grabber = grabber;
    this.#damage = damage;
    this.#encoder = encoder;
    this.#pacer = new FramePacer(slotMs, () => this.#capture());
    damage.onDamage((rect) => {
      if (!this.#active) return;
      this.#pending.push(rect);
      if (this.#pending.length > 256) this.#pending = [boundingBox(this.#pending)];
      this.#pacer.request();
    });
    conn.onEvent((ev) => {
      if (ev.name !== 'RRScreenChangeNotify') return;
      this.#resizePending = true;
      if (this.#active) this.#pacer.request();
    });
    conn.onClose(() => this.#shutdown(new CaptureError('x_closed', 'X display went away')));
    this.#resizePending = resizedEarly;
    if (earlyDamage.length > 0 || resizedEarly) {
      this.#pending.push(...earlyDamage);
      this.#pacer.request();
    }
  }

  /** Connects to the display, grabs the first full picture and starts following damage. */
  static async open(options: DisplayFrameSourceOptions): Promise<DisplayFrameSource> {
    const conn = await XConnection.open(options.display, {
      auth: options.auth,
      shm: options.shm,
    });
    try {
      const size = await conn.rootSize();
      const grabber = await ScreenGrabber.create(conn, size.width, size.height, {
        shm: options.shm,
      });
      const randr = await conn.extension('randr').catch(() => undefined);
      randr?.SelectInput(conn.root, randr.NotifyMask.ScreenChange);
      const damage = await DamageTracker.create(conn);
      // paints that land after the first grab must not be lost before the source listens
      const early: Rect[] = [];
      const offEarly = damage.onDamage((r) => early.push(r));
      const encoder = new FrameEncoder(size.width, size.height, {
        tileSize: options.tileSize,
        zstdLevel: options.zstdLevel,
        copyRects: options.copyRects,
      });
      await grabber.grabAll();
      encoder.encodeFull(grabber.frame, nowUs());
      const now = await conn.rootSize();
      const resized = now.width !== size.width || now.height !== size.height;
      offEarly();
      return new DisplayFrameSource(
        conn,
        grabber,
        damage,
        encoder,
        options.slotMs ?? 33,
        early,
        resized,
      );
    } catch (err) {
      await conn.close();
      throw err;
    }
  }

  get grid(): GridConfig {
    return this.#encoder.grid;
  }

  /** Whether frames come through MIT-SHM (false: core GetImage fallback). */
  get usesShm(): boolean {
    return this.#grabber.usesShm;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The encoder, for statistics (`stats`) and the last sequence number. */
  get encoder(): FrameEncoder {
    return this.#encoder;
  }

  onFrame(listener: (update: FrameUpdate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Called with every grab, before the tile encoder diffs it (and before the mask blanks its
   * region). Listeners copy what they need at once: the buffer is reused by the next grab.
   */
  onGrab(listener: (grab: GrabbedFrame) => void): () => void {
    this.#grabListeners.add(listener);
    return () => this.#grabListeners.delete(listener);
  }

  /**
   * Keeps a rectangle out of the tiles (it is shown another way, as video): its pixels read as
   * black to the encoder from the next capture on. Clearing the mask re-captures the rectangle,
   * so the tiles repaint it losslessly.
   */
  setMask(rect: Rect | undefined): void {
    const previous = this.#mask;
    this.#mask = rect ? clipToGrid(rect, this.grid.width, this.grid.height) : undefined;
    const touched = this.#mask ?? previous;
    if (previous) this.#pending.push(previous);
    if (this.#mask) this.#pending.push(this.#mask);
    if (touched) this.#pacer.request();
  }

  get mask(): Rect | undefined {
    return this.#mask;
  }

  /** Re-checks one rectangle now. */
  refreshRect(rect: Rect): void {
    this.#pending.push(rect);
    this.#pacer.request();
  }

  /** Called once when the source stops, with the error if the display went away. */
  onClose(listener: (err: CaptureError | undefined) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /**
   * The whole shown picture. Tiles wholly inside the mask are left out: they are blank while the
   * rectangle plays as video, and clearing the mask repaints them for every participant.
   */
  snapshot(): FrameUpdate {
    return this.#encoder.snapshot(nowUs(), this.#mask);
  }

  tileAt(col: number, row: number): TileUpdate | undefined {
    return this.#encoder.tileAt(col, row);
  }

  /**
   * Paused (false), damage is dropped and nothing is grabbed. Resuming (true) re-checks the whole
   * screen against the last picture and emits an update soon (empty if nothing changed).
   */
  setActive(active: boolean): void {
    if (active === this.#active) return;
    this.#active = active;
    if (!active) {
      this.#pending = [];
      return;
    }
    this.#resumed = true;
    this.refresh();
  }

  get active(): boolean {
    return this.#active;
  }

  /**
   * Turns copy-rects on or off (off while a client without the `copyRect` capability is
   * connected; scrolls then arrive as tiles).
   */
  setCopyRects(enabled: boolean): void {
    this.#encoder.copyRects = enabled;
  }

  /** Re-checks the whole screen now (e.g. after something drew without damage). */
  refresh(): void {
    this.#pending.push({ x: 0, y: 0, width: this.grid.width, height: this.grid.height });
    this.#pacer.request();
  }

  async close(): Promise<void> {
    this.#shutdown(undefined);
    await this.#conn.close();
  }

  #shutdown(err: CaptureError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pacer.close();
    this.#damage.close();
    this.#grabber.close();
    for (const l of [...this.#closeListeners]) {
      try {
        l(err);
      } catch {
        // ignore
      }
    }
    this.#closeListeners.clear();
    this.#listeners.clear();
  }

  async #capture(): Promise<void> {
    if (this.#closed || !this.#active) return;
    const rects = this.#pending;
    this.#pending = [];
    const resumed = this.#resumed;
    this.#resumed = false;
    let update: FrameUpdate | undefined;
    try {
      if (this.#resizePending) {
        this.#resizePending = false;
        const size = await this.#conn.rootSize();
        await this.#grabber.resize(size.width, size.height);
        this.#encoder.resize(size.width, size.height);
      }
      const t0 = performance.now();
      const ts = nowUs();
      if (this.#encoder.needsFull) {
        await this.#grabber.grabAll();
        const t1 = performance.now();
        this.#tap([{ y0: 0, y1: this.#grabber.height }], ts);
        update = this.#encoder.encodeFull(this.#grabber.frame, ts);
        observeEncode(performance.now() - t1);
        this.#record(t0, t1, this.#grabber.height);
      } else {
        const { width, height } = this.#encoder.grid;
        const bands = damageBands(rects, width, height);
        if (bands.length === 0) return;
        await this.#grabber.grabRows(bands);
        const t1 = performance.now();
        if (this.#closed) return;
        this.#tap(bands, ts);
        update = this.#encoder.encodeChanges(this.#grabber.frame, bands, ts);
        if (!update && resumed) update = this.#encoder.encodeEmpty(ts);
        observeEncode(performance.now() - t1);
        this.#record(
          t0,
          t1,
          bands.reduce((n, b) => n + b.y1 - b.y0, 0),
        );
      }
    } catch (err) {
      if (this.#conn.closed) {
        this.#shutdown(new CaptureError('x_closed', 'X display went away'));
        return;
      }
      // Most likely the screen changed size under the grab: re-read the size, keep the damage.
      if (++this.#failures > 5) {
        this.#shutdown(
          err instanceof CaptureError ? err : new CaptureError('x_request_failed', String(err)),
        );
        void this.#conn.close();
        return;
      }
      this.#resizePending = true;
      this.#resumed ||= resumed;
      this.#pending.push(...rects);
      this.#pacer.request();
      return;
    }
    this.#failures = 0;
    if (!update || this.#closed) return;
    for (const l of this.#listeners) {
      try {
        l(update);
      } catch {
        // a consumer's failure must not stop capture
      }
    }
  }

  /** Shows the grab to taps, then blanks the masked rectangle in the rows just grabbed. */
  #tap(rows: ReadonlyArray<{ y0: number; y1: number }>, timestampUs: number): void {
    const frame = this.#grabber.frame;
    const width = this.#grabber.width;
    if (this.#grabListeners.size > 0) {
      const grab: GrabbedFrame = { frame, width, height: this.#grabber.height, rows, timestampUs };
      for (const l of this.#grabListeners) {
        try {
          l(grab);
        } catch {
          // a tap's failure must not stop capture
        }
      }
    }
    const m = this.#mask;
    if (!m) return;
    const stride = width * 4;
    for (const r of rows) {
      for (let y = Math.max(r.y0, m.y); y < Math.min(r.y1, m.y + m.height); y++) {
        frame.fill(0, y * stride + m.x * 4, y * stride + (m.x + m.width) * 4);
      }
    }
  }

  #record(t0: number, t1: number, rows: number): void {
    this.timing.grabMs = t1 - t0;
    this.timing.encodeMs = performance.now() - t1;
    this.timing.rows = rows;
  }
}

function clipToGrid(r: Rect, width: number, height: number): Rect | undefined {
  const x = Math.max(0, Math.min(width, r.x));
  const y = Math.max(0, Math.min(height, r.y));
  const x1 = Math.max(x, Math.min(width, r.x + r.width));
  const y1 = Math.max(y, Math.min(height, r.y + r.height));
  return x1 > x && y1 > y ? { x, y, width: x1 - x, height: y1 - y } : undefined;
}

function boundingBox(rects: readonly Rect[]): Rect {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const r of rects) {
    x0 = Math.min(x0, r.x);
    y0 = Math.min(y0, r.y);
    x1 = Math.max(x1, r.x + r.width);
    y1 = Math.max(y1, r.y + r.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
