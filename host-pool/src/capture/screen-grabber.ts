import { CaptureError } from './errors.ts';
import { type XConnection, Z_PIXMAP } from './x11/connection.ts';
import type { ShmExtension, ShmSegment } from './x11/extensions.ts';

const ALL_PLANES = 0xffffffff;

/** Rows [y0, y1) to grab across the full width. */
export interface RowRange {
  readonly y0: number;
  readonly y1: number;
}

/**
 * Grabs the root window into one frame buffer (BGRX, `width × 4` bytes per row). MIT-SHM: the
 * server writes into a shared segment the size of the frame and rows are read back with one
 * `pread` per range, straight into the frame. Grabbing whole rows at their frame offset means no
 * repacking. Falls back to core GetImage when the segment cannot be attached.
 */
export class ScreenGrabber {
  readonly #conn: XConnection;
  #shm: ShmExtension | undefined;
  #segment: ShmSegment | undefined;
  #frame: Buffer;
  #width: number;
  #height: number;

  private constructor(conn: XConnection, width: number, height: number) {
    this.#conn = conn;
    this.#width = width;
    this.#height = height;
    this.#frame = Buffer.alloc(width * height * 4);
  }

  /** Sets up a grabber for a `width × height` screen; `shm: false` forces core GetImage. */
  static async create(
    conn: XConnection,
    width: number,
    height: number,
    options: { shm?: boolean } = {},
  ): Promise<ScreenGrabber> {
    const g = new ScreenGrabber(conn, width, height);
    if (options.shm !== false) {
      g.#shm = await conn.extension('shm').catch(() => undefined);
      if (g.#shm && !(await usable(g.#shm))) g.#shm = undefined;
    }
    await g.#allocate();
    return g;
  }

  /** True when frames come through MIT-SHM. */
  get usesShm(): boolean {
    return this.#segment !== undefined;
  }

  /** The frame; rows are current for every range grabbed since the last resize. */
  get frame(): Buffer {
    return this.#frame;
  }

  get width(): number {
    return this.#width;
  }

  get height(): number {
    return this.#height;
  }

  /** Reallocates for a new screen size (contents are undefined until the next grab). */
  async resize(width: number, height: number): Promise<void> {
    if (width === this.#width && height === this.#height) return;
    this.#width = width;
    this.#height = height;
    this.#release();
    await this.#allocate();
  }

  /** Grabs the whole screen. */
  grabAll(): Promise<void> {
    return this.grabRows([{ y0: 0, y1: this.#height }]);
  }

  /** Grabs full-width row ranges (requests are pipelined; one round trip in total). */
  async grabRows(ranges: readonly RowRange[]): Promise<void> {
    const w = this.#width;
    const stride = w * 4;
    const valid = ranges
      .map((r) => ({ y0: Math.max(0, r.y0), y1: Math.min(this.#height, r.y1) }))
      .filter((r) => r.y1 > r.y0);
    const seg = this.#segment;
    const shm = this.#shm;
    if (seg && shm) {
      await Promise.all(
        valid.map((r) =>
          this.#conn.request(
            (cb) =>
              shm.GetImage(
                this.#conn.root,
                0,
                r.y0,
                w,
                r.y1 - r.y0,
                ALL_PLANES,
                Z_PIXMAP,
                seg.shmseg,
                r.y0 * stride,
                cb,
              ),
            'ShmGetImage',
          ),
        ),
      );
      if (this.#segment !== seg) throw new CaptureError('x_request_failed', 'resized during grab');
      for (const r of valid) seg.readback(r.y0 * stride, (r.y1 - r.y0) * stride);
      return;
    }
    const images = await Promise.all(
      valid.map((r) => this.#conn.getImage(0, r.y0, w, r.y1 - r.y0)),
    );
    const frame = this.#frame;
    valid.forEach((r, i) => {
      const data = images[i] as Buffer;
      data.copy(frame, r.y0 * stride, 0, Math.min(data.length, (r.y1 - r.y0) * stride));
    });
  }

  /** Detaches the shared segment. */
  close(): void {
    this.#release();
  }

  async #allocate(): Promise<void> {
    const size = this.#width * this.#height * 4;
    if (this.#shm) {
      const shm = this.#shm;
      const seg = await this.#conn
        .request<ShmSegment>((cb) => shm.createSegment(size, (err, s) => cb(err, s)), 'ShmAttach')
        .catch(() => undefined);
      if (seg && seg.buffer.byteOffset % 4 === 0) {
        this.#segment = seg;
        this.#frame = seg.buffer;
        return;
      }
      seg?.detach();
    }
    this.#frame = Buffer.alloc(size);
  }

  #release(): void {
    const seg = this.#segment;
    this.#segment = undefined;
    if (seg && !this.#conn.closed) {
      try {
        seg.detach();
      } catch {
        // connection already gone
      }
    }
  }
}

function usable(shm: ShmExtension): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      shm.usable((err, ok) => resolve(!err && ok));
    } catch {
      resolve(false);
    }
  });
}
