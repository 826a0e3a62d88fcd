import { CAP, encodeMessage, HashLru, type Message } from '@browserpane/protocol';
import type { FrameUpdate, GridConfig, TileUpdate } from '../types.ts';

export interface SerializerStats {
  tilesEncoded: number;
  tilesCached: number;
  tilesFilled: number;
  copies: number;
  snapshots: number;
  cacheMisses: number;
}

/**
 * Turns shared {@link FrameUpdate}s into one client's bytes. Keeps a mirror of that client's tile
 * cache (same LRU, same operations in the same order), so a tile the client holds costs a 17-byte
 * `tileCached` instead of its pixels, and a client that lacks `tileCache` always gets pixels.
 */
export class TileSerializer {
  readonly stats: SerializerStats = {
    tilesEncoded: 0,
    tilesCached: 0,
    tilesFilled: 0,
    copies: 0,
    snapshots: 0,
    cacheMisses: 0,
  };
  private readonly cache = new HashLru<true>();
  private readonly useCache: boolean;
  private readonly useCopies: boolean;
  /** Sequence number of the last frame sent, for pacing by acknowledgements. */
  lastSentSeq = 0;

  constructor(capabilities: number) {
    this.useCache = (capabilities & CAP.tileCache) !== 0;
    this.useCopies = (capabilities & CAP.copyRect) !== 0;
  }

  /** Whether this client can apply `update` incrementally (else it needs a snapshot). */
  canApply(update: FrameUpdate): boolean {
    return update.full || this.useCopies || update.copies.length === 0;
  }

  /** Encodes an update (incremental or full) as one buffer of frames. */
  encode(update: FrameUpdate): Uint8Array {
    const frames: Uint8Array[] = [];
    if (update.grid) frames.push(encodeMessage(gridMessage(update.grid)));
    if (update.full) this.stats.snapshots++;
    frames.push(
      encodeMessage({ type: 'frameBegin', seq: update.seq, timestampUs: update.timestampUs }),
    );
    for (const c of update.full ? [] : update.copies) {
      frames.push(encodeMessage({ type: 'copyRect', ...c }));
      this.stats.copies++;
    }
    for (const tile of update.tiles) frames.push(encodeMessage(this.tileMessage(tile)));
    frames.push(encodeMessage({ type: 'frameEnd', seq: update.seq }));
    this.lastSentSeq = update.seq;
    return concat(frames);
  }

  /**
   * The client lacked a tile we named by hash: forget it in the mirror and, when the current
   * picture still has that tile, re-send its pixels in a small frame of its own.
   */
  repair(
    hash: number,
    current: TileUpdate | undefined,
    seq: number,
    timestampUs: number,
  ): Uint8Array | undefined {
    this.stats.cacheMisses++;
    this.cache.delete(hash);
    if (current?.kind !== 'pixels' || current.hash !== hash) return undefined;
    this.lastSentSeq = seq;
    return concat([
      encodeMessage({ type: 'frameBegin', seq, timestampUs }),
      encodeMessage(this.tileMessage(current)),
      encodeMessage({ type: 'frameEnd', seq }),
    ]);
  }

  private tileMessage(tile: TileUpdate): Message {
    if (tile.kind === 'fill') {
      this.stats.tilesFilled++;
      return { type: 'tileFill', col: tile.col, row: tile.row, rgba: tile.rgba };
    }
    if (this.useCache && this.cache.get(tile.hash)) {
      this.stats.tilesCached++;
      return { type: 'tileCached', col: tile.col, row: tile.row, hash: tile.hash };
    }
    const encoded = tile.encode();
    this.stats.tilesEncoded++;
    if (this.useCache) this.cache.set(tile.hash, true);
    return {
      type: 'tileEncoded',
      col: tile.col,
      row: tile.row,
      hash: this.useCache ? tile.hash : 0,
      codec: encoded.codec,
      data: encoded.data,
    };
  }
}

export function gridMessage(grid: GridConfig): Message {
  return { type: 'gridConfig', ...grid };
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
