/**
 * The seams inside the host agent. Capture and encoding produce {@link FrameUpdate}s and know
 * nothing about connections; the relay turns them into protocol messages per client (each client
 * has its own tile cache) and never touches X11. Input arrives as protocol input messages.
 */
import type { MessageOf } from '@browserpane/protocol';

/** Tile grid of the display (mirrors the `gridConfig` message). */
export interface GridConfig {
  readonly tileSize: number;
  readonly cols: number;
  readonly rows: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Losslessly encoded tile pixels: B, G, R, X per pixel (X is padding, ignore it), row-major, no
 * row padding. Tiles in the last column or row are clipped to the display: such a tile is
 * `min(tileSize, width − col × tileSize)` pixels wide and likewise high, and its data holds
 * exactly that many pixels.
 */
export interface EncodedTile {
  readonly codec: 'zstdBgrx' | 'rawBgrx';
  readonly data: Uint8Array;
}

/** One tile's new content. */
export type TileUpdate =
  | { readonly kind: 'fill'; readonly col: number; readonly row: number; readonly rgba: number }
  | {
      readonly kind: 'pixels';
      readonly col: number;
      readonly row: number;
      /** Content hash, 1 … 2^53 − 1 (0 is never used: it means "do not cache" on the wire). */
      readonly hash: number;
      /** Encodes on first call and memoizes: clients that have `hash` cached never cost an encode. */
      encode(): EncodedTile;
    };

/**
 * A copy of already-shown pixels (scrolling), applied before the frame's tiles. A frame's copies
 * apply in order, each reading the picture as the previous copies left it; source and
 * destination of one copy may overlap (memmove semantics).
 */
export interface CopyRect {
  readonly srcX: number;
  readonly srcY: number;
  readonly width: number;
  readonly height: number;
  readonly dstX: number;
  readonly dstY: number;
}

/**
 * What changed on the display since the previous update. A client that saw every earlier update
 * applies `copies` then `tiles` and matches the display. A client that missed updates must get a
 * snapshot (`full: true`: grid + every tile, no copies) instead.
 */
export interface FrameUpdate {
  readonly seq: number;
  /** Capture time, microseconds since the Unix epoch. */
  readonly timestampUs: number;
  /** Present on the first update and whenever the display size or grid changed. */
  readonly grid: GridConfig | undefined;
  readonly copies: readonly CopyRect[];
  readonly tiles: readonly TileUpdate[];
  readonly full: boolean;
}

/** The cursor as the client should draw it. */
export type CursorUpdate =
  | MessageOf<'cursorShape'>
  | MessageOf<'cursorCached'>
  | MessageOf<'cursorPosition'>;

/** Input messages a client may send, applied to the display by an injector. */
export type InputMessage =
  | MessageOf<'keyEvent'>
  | MessageOf<'textInput'>
  | MessageOf<'pointerMove'>
  | MessageOf<'pointerButton'>
  | MessageOf<'wheel'>
  | MessageOf<'inputReset'>;

/** Produces frame updates from one X display. */
export interface FrameSource {
  readonly grid: GridConfig;
  /** Called with every update, at most one per frame slot (33 ms); bursts coalesce. */
  onFrame(listener: (update: FrameUpdate) => void): () => void;
  /**
   * The whole picture exactly as of the last update emitted (same `seq`; `full: true`, grid and
   * every tile, no copies), for a joining or recovering client. It must not include newer screen
   * content: later updates (including their copies) are applied on top of it.
   */
  snapshot(): FrameUpdate;
  /** The current content of one tile (as of the last update), to repair a client's cache miss. */
  tileAt(col: number, row: number): TileUpdate | undefined;
  /** Pause capture while nobody watches (false) and resume (true, which also emits a frame soon). */
  setActive(active: boolean): void;
  close(): Promise<void>;
}

/** Cursor shapes and positions from the display (XFIXES). */
export interface CursorSource {
  onCursor(listener: (update: CursorUpdate) => void): () => void;
  /** The current shape (full image) and position, for a joining client. */
  current(): {
    shape: MessageOf<'cursorShape'> | undefined;
    position: MessageOf<'cursorPosition'> | undefined;
  };
}

/** Applies input to the display (XTEST, CDP for text). Must never throw for bad input. */
export interface InputSink {
  apply(message: InputMessage): void | Promise<void>;
  /** Releases every key and button held (a participant left or lost focus). */
  releaseAll(): void | Promise<void>;
}
