import type { MessageOf } from '@browserpane/protocol';
import { hash53 } from '../encode/tile-hash.ts';
import type { CursorSource, CursorUpdate } from '../types.ts';
import type { XConnection } from './x11/connection.ts';
import type { CursorImage, FixesExtension } from './x11/extensions.ts';

type CursorShape = MessageOf<'cursorShape'>;
type CursorPosition = MessageOf<'cursorPosition'>;

const MAX_CURSOR = 256;

/** XFIXES premultiplied ARGB words (bytes B, G, R, A) → straight RGBA bytes. */
export function cursorRgba(image: Buffer, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    const s = i * 4;
    const a = image[s + 3] as number;
    if (a === 0) continue;
    const unmul = (v: number): number => Math.min(255, Math.round((v * 255) / a));
    out[s] = unmul(image[s + 2] as number);
    out[s + 1] = unmul(image[s + 1] as number);
    out[s + 2] = unmul(image[s] as number);
    out[s + 3] = a;
  }
  return out;
}

/** Options of a cursor tracker. */
export interface CursorTrackerOptions {
  /**
   * Also stop the X server drawing its cursor sprite (default false). Not needed for capture:
   * measured here, the sprite appears neither in GetImage nor in DAMAGE; clients draw the cursor
   * from `cursorShape` either way.
   */
  readonly hideServerCursor?: boolean;
}

/**
 * Follows the X cursor through XFIXES: a `cursorShape` the first time a shape is seen (shapes are
 * identified by the serial of their first appearance, deduplicated by content), `cursorCached`
 * when it switches back to a known shape, `cursorPosition` when the pointer moves (XInput2 raw
 * motion wakes it, so an idle pointer costs nothing).
 */
export class CursorTracker implements CursorSource {
  readonly #conn: XConnection;
  readonly #fixes: FixesExtension;
  readonly #shapes = new Map<number, CursorShape>();
  readonly #byContent = new Map<string, number>();
  readonly #xSerialToShape = new Map<number, number>();
  readonly #listeners = new Set<(u: CursorUpdate) => void>();
  readonly #offEvents: () => void;
  #currentSerial: number | undefined;
  #position: CursorPosition = { type: 'cursorPosition', x: 0, y: 0, visible: true };
  #querying = false;
  #requery = false;
  #closed = false;

  private constructor(conn: XConnection, fixes: FixesExtension) {
    this.#conn = conn;
    this.#fixes = fixes;
    this.#offEvents = conn.onEvent((ev) => {
      if (ev.name === 'CursorNotify') void this.#refreshShape();
      else if (ev.name === 'XIRawMotion') this.#queryPosition();
    });
  }

  /** Starts following the cursor of `conn`'s display. */
  static async start(
    conn: XConnection,
    options: CursorTrackerOptions = {},
  ): Promise<CursorTracker> {
    const fixes = await conn.extension('fixes');
    const tracker = new CursorTracker(conn, fixes);
    fixes.SelectCursorInput(conn.root, fixes.CursorNotifyMask.DisplayCursor);
    if (options.hideServerCursor) fixes.HideCursor(conn.root);
    const xi = await conn.extension('xinput').catch(() => undefined);
    if (xi)
      xi.XISelectEvents(conn.root, {
        deviceId: xi.AllMasterDevices,
        mask: [xi.EventType.RawMotion],
      });
    await conn.sync();
    await tracker.#refreshShape();
    return tracker;
  }

  /** Called with every cursor change. */
  onCursor(listener: (u: CursorUpdate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The shape with this serial, for a client that lacks it. */
  shape(serial: number): CursorShape | undefined {
    return this.#shapes.get(serial);
  }

  /** What a joining client needs: the current shape (full image) and the position. */
  current(): { shape: CursorShape | undefined; position: CursorPosition | undefined } {
    const shape =
      this.#currentSerial === undefined ? undefined : this.#shapes.get(this.#currentSerial);
    return { shape, position: { ...this.#position } };
  }

  close(): void {
    this.#closed = true;
    this.#offEvents();
    this.#listeners.clear();
  }

  #emit(u: CursorUpdate): void {
    for (const l of this.#listeners) {
      try {
        l(u);
      } catch {
        // the listener's problem
      }
    }
  }

  async #refreshShape(): Promise<void> {
    if (this.#closed) return;
    const img = await this.#conn
      .request<CursorImage>((cb) => this.#fixes.GetCursorImage(cb), 'GetCursorImage')
      .catch(() => undefined);
    if (!img || this.#closed) return;
    let serial = this.#xSerialToShape.get(img.cursorSerial);
    let isNew = false;
    if (serial === undefined) {
      const w = Math.min(img.width, MAX_CURSOR);
      const h = Math.min(img.height, MAX_CURSOR);
      const rgba = cropRgba(cursorRgba(img.cursorImage, img.width * img.height), img.width, w, h);
      const words = new Uint32Array(rgba.buffer, rgba.byteOffset, rgba.length >>> 2);
      const key = `${hash53(words, w | (h << 16))}:${img.xhot}:${img.yhot}`;
      serial = this.#byContent.get(key);
      if (serial === undefined) {
        serial = img.cursorSerial >>> 0;
        this.#byContent.set(key, serial);
        this.#shapes.set(serial, {
          type: 'cursorShape',
          serial,
          width: w,
          height: h,
          hotX: Math.min(img.xhot, w),
          hotY: Math.min(img.yhot, h),
          rgba,
        });
        isNew = true;
      }
      this.#xSerialToShape.set(img.cursorSerial, serial);
    }
    const visible = hasAlpha(this.#shapes.get(serial)?.rgba);
    const moved = img.x !== this.#position.x || img.y !== this.#position.y;
    if (serial !== this.#currentSerial) {
      this.#currentSerial = serial;
      const shape = this.#shapes.get(serial) as CursorShape;
      this.#emit(isNew ? shape : { type: 'cursorCached', serial });
    }
    if (moved || visible !== this.#position.visible) {
      this.#position = { type: 'cursorPosition', x: clampU16(img.x), y: clampU16(img.y), visible };
      this.#emit({ ...this.#position });
    }
  }

  #queryPosition(): void {
    if (this.#querying) {
      this.#requery = true;
      return;
    }
    this.#querying = true;
    void this.#conn
      .request<{ rootX: number; rootY: number }>(
        (cb) => this.#conn.client.QueryPointer(this.#conn.root, cb),
        'QueryPointer',
      )
      .then((p) => {
        if (this.#closed) return;
        const x = clampU16(p.rootX);
        const y = clampU16(p.rootY);
        if (x !== this.#position.x || y !== this.#position.y) {
          this.#position = { ...this.#position, x, y };
          this.#emit({ ...this.#position });
        }
      })
      .catch(() => undefined)
      .finally(() => {
        this.#querying = false;
        if (this.#requery && !this.#closed) {
          this.#requery = false;
          this.#queryPosition();
        }
      });
  }
}

function clampU16(v: number): number {
  return Math.max(0, Math.min(0xffff, v));
}

function hasAlpha(rgba: Uint8Array | undefined): boolean {
  if (!rgba) return false;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 0) return true;
  return false;
}

function cropRgba(rgba: Uint8Array, srcWidth: number, w: number, h: number): Uint8Array {
  if (w === srcWidth && rgba.length === w * h * 4) return rgba;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    out.set(rgba.subarray(y * srcWidth * 4, y * srcWidth * 4 + w * 4), y * w * 4);
  return out;
}
