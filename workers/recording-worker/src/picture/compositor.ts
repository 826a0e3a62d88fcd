/**
 * The picture a viewer sees, composed in Node from the relay's messages exactly as the browser
 * client composes it: the client's own TileRenderer (tiles, tile cache, copy-rects, grid changes)
 * onto an in-memory RGBA surface, the ROI H.264 streams decoded and laid over their rectangles
 * until they end, and the remote cursor on top.
 */

import { InlineDecodePool } from '@browserpane/client/render/decode-pool';
import { TileRenderer } from '@browserpane/client/render/tile-renderer';
import { FragmentAssembler } from '@browserpane/client/video/fragment-assembler';
import type { Message, MessageOf } from '@browserpane/protocol';
import { DamagedSurface } from './damaged-surface.ts';
import { H264Region } from './h264-region.ts';
import type { RowRange } from './row-damage.ts';

interface Region {
  readonly start: MessageOf<'videoStreamStart'>;
  decoder: H264Region | undefined;
  opening: Promise<void> | undefined;
  keyed: boolean;
  picture: Uint8Array | undefined;
}

interface CursorShape {
  readonly width: number;
  readonly height: number;
  readonly hotX: number;
  readonly hotY: number;
  readonly rgba: Uint8Array;
}

const TILE_MESSAGES = new Set<Message['type']>([
  'gridConfig',
  'frameBegin',
  'frameEnd',
  'tileFill',
  'tileCached',
  'tileEncoded',
  'copyRect',
]);

/** A composed picture (RGBA, `width × height`) and the rows that changed since the last one. */
export interface Picture {
  readonly rgba: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  readonly rows: readonly RowRange[];
}

export interface CompositorStats {
  framesPresented: number;
  videoFrames: number;
  videoErrors: number;
}

export class Compositor {
  readonly surface = new DamagedSurface();
  readonly stats: CompositorStats = { framesPresented: 0, videoFrames: 0, videoErrors: 0 };
  /** Something visible changed since the last `compose()`. */
  dirty = false;
  /**
   * When the host captured the newest tile frame handled so far (`frameBegin.timestampUs`, the
   * host's clock); undefined before the first. Once `idle()` resolves the surface shows it.
   */
  captureUs: number | undefined;
  /**
   * When the host captured the oldest tile frame presented since the last `compose()`: the moment
   * the next picture's change first showed. A picture that folds several frames together (the
   * worker was still encoding the last one) is timed by its first change, not its last, so a
   * page's colour switch is in the file when it happened, however far the worker lags.
   */
  private firstUnpicturedUs: number | undefined;
  private readonly renderer: TileRenderer;
  private readonly assembler = new FragmentAssembler();
  private readonly regions = new Map<number, Region>();
  private readonly shapes = new Map<number, CursorShape>();
  private shape: CursorShape | undefined;
  private cursor = { x: 0, y: 0, visible: false };
  private out = new Uint8ClampedArray(0);

  constructor(send: (m: Message) => void) {
    this.renderer = new TileRenderer(this.surface, new InlineDecodePool(), {
      send,
      presented: (_seq, timestampUs) => {
        this.stats.framesPresented++;
        this.firstUnpicturedUs ??= timestampUs;
        this.dirty = true;
      },
      resized: () => {
        this.dirty = true;
      },
    });
  }

  get width(): number {
    return this.surface.width;
  }

  get height(): number {
    return this.surface.height;
  }

  /** Whether a first full picture arrived (the display size is known). */
  get ready(): boolean {
    return this.surface.width > 0 && this.stats.framesPresented > 0;
  }

  /** Resolves once every message so far is on the surface. */
  idle(): Promise<void> {
    return this.renderer.idle();
  }

  handle(m: Message): void {
    if (TILE_MESSAGES.has(m.type)) {
      if (m.type === 'frameBegin') this.captureUs = m.timestampUs;
      this.renderer.handle(m as Parameters<TileRenderer['handle']>[0]);
      return;
    }
    switch (m.type) {
      case 'videoStreamStart':
        this.endRegion(m.streamId);
        this.regions.set(m.streamId, {
          start: m,
          decoder: undefined,
          opening: undefined,
          keyed: false,
          picture: undefined,
        });
        return;
      case 'videoStreamEnd':
        this.endRegion(m.streamId);
        return;
      case 'videoFragment':
        return this.fragment(m);
      case 'cursorShape': {
        const shape = { ...m, rgba: new Uint8Array(m.rgba) };
        this.shapes.set(m.serial, shape);
        this.moveCursor(() => {
          this.shape = shape;
        });
        this.dirty ||= this.cursor.visible;
        return;
      }
      case 'cursorCached':
        this.moveCursor(() => {
          this.shape = this.shapes.get(m.serial);
        });
        this.dirty ||= this.cursor.visible;
        return;
      case 'cursorPosition':
        this.moveCursor(() => {
          this.cursor = { x: m.x, y: m.y, visible: m.visible };
        });
        this.dirty = true;
        return;
      default:
        return;
    }
  }

  private fragment(f: MessageOf<'videoFragment'>): void {
    const region = this.regions.get(f.streamId);
    const frame = this.assembler.push(f);
    if (!region || !frame) return;
    if (!region.keyed && !frame.keyframe) return;
    region.keyed = true;
    const decode = () => {
      if (!region.decoder || this.regions.get(f.streamId) !== region) return;
      try {
        const picture = region.decoder.decode(frame.data);
        if (picture) {
          region.picture = picture;
          this.surface.damage.mark(region.start.y, region.start.height);
          this.stats.videoFrames++;
          this.dirty = true;
        }
      } catch {
        this.stats.videoErrors++;
        region.keyed = false;
      }
    };
    if (region.decoder) return decode();
    region.opening ??= H264Region.open(region.start.width, region.start.height).then(
      (decoder) => {
        if (this.regions.get(f.streamId) === region) region.decoder = decoder;
        else decoder.close();
      },
      () => {
        this.stats.videoErrors++;
      },
    );
    void region.opening.then(decode);
  }

  private endRegion(streamId: number): void {
    const region = this.regions.get(streamId);
    if (!region) return;
    this.regions.delete(streamId);
    this.surface.damage.mark(region.start.y, region.start.height);
    region.decoder?.close();
    void region.opening?.then(() => region.decoder?.close());
    this.dirty = true;
  }

  /** The capture time of the first change the next `compose()` shows (see firstUnpicturedUs). */
  get pendingCaptureUs(): number | undefined {
    return this.firstUnpicturedUs;
  }

  /** The cursor's rows (where it is drawn) change before and after `change`. */
  private moveCursor(change: () => void): void {
    this.markCursor();
    change();
    this.markCursor();
  }

  private markCursor(): void {
    if (this.cursor.visible && this.shape)
      this.surface.damage.mark(this.cursor.y - this.shape.hotY, this.shape.height);
  }

  /**
   * The picture now: the surface, the video regions over it, the cursor on top (RGBA). Only the
   * rows that changed since the last call are redrawn; the returned buffer is reused.
   */
  compose(): Picture {
    const { width, height, pixels } = this.surface;
    let rows = this.surface.damage.take();
    if (this.out.length !== pixels.length) {
      this.out = new Uint8ClampedArray(pixels.length);
      rows = [{ from: 0, to: height }];
    }
    const out = this.out;
    for (const { from, to } of rows) {
      out.set(pixels.subarray(from * width * 4, to * width * 4), from * width * 4);
      for (const region of this.regions.values()) {
        const { x, y, width: w, height: h } = region.start;
        if (!region.picture || x >= width) continue;
        const cols = Math.min(w, width - x);
        const top = Math.max(y, from);
        const bottom = Math.min(y + h, to);
        for (let row = top; row < bottom; row++) {
          const at = (row - y) * w * 4;
          out.set(region.picture.subarray(at, at + cols * 4), (row * width + x) * 4);
        }
      }
      if (this.cursor.visible && this.shape) this.drawCursor(out, width, from, to, this.shape);
    }
    this.dirty = false;
    this.firstUnpicturedUs = undefined;
    return { rgba: out, width, height, rows };
  }

  private drawCursor(
    out: Uint8ClampedArray,
    width: number,
    from: number,
    to: number,
    s: CursorShape,
  ): void {
    const left = this.cursor.x - s.hotX;
    const top = this.cursor.y - s.hotY;
    for (let row = 0; row < s.height; row++) {
      const y = top + row;
      if (y < from || y >= to) continue;
      for (let col = 0; col < s.width; col++) {
        const x = left + col;
        if (x < 0 || x >= width) continue;
        const i = (row * s.width + col) * 4;
        const a = s.rgba[i + 3] as number;
        if (a === 0) continue;
        const o = (y * width + x) * 4;
        for (let c = 0; c < 3; c++)
          out[o + c] = ((s.rgba[i + c] as number) * a + (out[o + c] as number) * (255 - a)) / 255;
      }
    }
  }

  close(): void {
    for (const id of [...this.regions.keys()]) this.endRegion(id);
  }
}
