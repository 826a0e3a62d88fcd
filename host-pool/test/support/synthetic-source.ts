import type {
  EncodedTile,
  FrameSource,
  FrameUpdate,
  GridConfig,
  TileUpdate,
} from '../../src/types.ts';

/**
 * A frame source for relay tests that needs no X server: a small framebuffer whose tiles the test
 * paints by hand. Tiles are sent raw (rawBgrx), clipped at the display edge like the real
 * pipeline's. (End-to-end tests of the product use the real capture pipeline.)
 */
export class SyntheticSource implements FrameSource {
  readonly grid: GridConfig;
  private seq = 0;
  private readonly listeners = new Set<(u: FrameUpdate) => void>();
  private readonly tiles = new Map<string, TileUpdate>();
  /** B, G, R, X per pixel. */
  readonly bgrx: Uint8Array;
  active = false;

  constructor(width = 256, height = 128, tileSize = 64) {
    this.grid = {
      tileSize,
      width,
      height,
      cols: Math.ceil(width / tileSize),
      rows: Math.ceil(height / tileSize),
    };
    this.bgrx = new Uint8Array(width * height * 4).fill(255);
    for (let row = 0; row < this.grid.rows; row++) {
      for (let col = 0; col < this.grid.cols; col++)
        this.tiles.set(`${col},${row}`, { kind: 'fill', col, row, rgba: 0xffffffff });
    }
  }

  onFrame(listener: (u: FrameUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets tile (col,row) to a solid colour (`payloadBytes` = 0) or to `payloadBytes` of opaque test bytes. */
  change(col: number, row: number, fill: number, payloadBytes = 0): void {
    if (payloadBytes === 0) {
      const { x, y, w, h } = this.rect(col, row);
      const px = [(fill >>> 8) & 0xff, (fill >>> 16) & 0xff, fill >>> 24, 0];
      for (let j = 0; j < h; j++)
        for (let i = 0; i < w; i++) this.bgrx.set(px, ((y + j) * this.grid.width + x + i) * 4);
    }
    const tile: TileUpdate =
      payloadBytes === 0
        ? { kind: 'fill', col, row, rgba: fill }
        : opaque(col, row, fill, payloadBytes);
    this.emit(tile);
  }

  /** Paints tile (col,row) with a gradient pattern derived from `seed` and sends its real pixels. */
  paint(col: number, row: number, seed: number): void {
    const { x, y, w, h } = this.rect(col, row);
    const data = new Uint8Array(w * h * 4);
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const at = (j * w + i) * 4;
        data[at] = (i * 4 + seed) & 0xff; // B
        data[at + 1] = (j * 4 + seed * 3) & 0xff; // G
        data[at + 2] = (i + j + seed * 7) & 0xff; // R
        data[at + 3] = 0;
        this.bgrx.set(data.subarray(at, at + 4), ((y + j) * this.grid.width + x + i) * 4);
      }
    }
    const encoded: EncodedTile = { codec: 'rawBgrx', data };
    this.emit({ kind: 'pixels', col, row, hash: hashOf(data), encode: () => encoded });
  }

  /** The picture as RGBA, what a client canvas must show. */
  expectedRgba(): Uint8Array {
    const out = new Uint8Array(this.bgrx.length);
    for (let i = 0; i < out.length; i += 4) {
      out[i] = this.bgrx[i + 2] as number;
      out[i + 1] = this.bgrx[i + 1] as number;
      out[i + 2] = this.bgrx[i] as number;
      out[i + 3] = 255;
    }
    return out;
  }

  snapshot(): FrameUpdate {
    return {
      seq: this.seq,
      timestampUs: Date.now() * 1000,
      grid: this.grid,
      copies: [],
      tiles: [...this.tiles.values()],
      full: true,
    };
  }

  tileAt(col: number, row: number): TileUpdate | undefined {
    return this.tiles.get(`${col},${row}`);
  }

  setActive(active: boolean): void {
    this.active = active;
  }

  async close(): Promise<void> {}

  private rect(col: number, row: number) {
    const x = col * this.grid.tileSize;
    const y = row * this.grid.tileSize;
    return {
      x,
      y,
      w: Math.min(this.grid.tileSize, this.grid.width - x),
      h: Math.min(this.grid.tileSize, this.grid.height - y),
    };
  }

  private emit(tile: TileUpdate): void {
    this.tiles.set(`${tile.col},${tile.row}`, tile);
    this.seq++;
    const update: FrameUpdate = {
      seq: this.seq,
      timestampUs: Date.now() * 1000,
      grid: undefined,
      copies: [],
      tiles: [tile],
      full: false,
    };
    for (const l of this.listeners) l(update);
  }
}

function opaque(col: number, row: number, seed: number, size: number): TileUpdate {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (seed * 31 + i) & 0xff;
  const encoded: EncodedTile = { codec: 'rawBgrx', data };
  return {
    kind: 'pixels',
    col,
    row,
    hash: 1 + ((seed * 2654435761) % 2 ** 40),
    encode: () => encoded,
  };
}

function hashOf(data: Uint8Array): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9e3779b9;
  for (let i = 0; i < data.length; i++) {
    h1 = Math.imul(h1 ^ (data[i] as number), 16777619);
    h2 = Math.imul(h2 + (data[i] as number), 2246822519);
  }
  return ((h1 >>> 0) % 0x1fffff) * 0x1_0000_0000 + (h2 >>> 0) + 1;
}
