import { HashLru, type Message, type MessageOf } from '@browserpane/protocol';
import type { DecodeJob, DecodePool, DecodeResult } from './decode-pool.ts';
import type { PixelSurface } from './surface.ts';

type TileMessage = Extract<
  Message,
  {
    type:
      | 'gridConfig'
      | 'frameBegin'
      | 'frameEnd'
      | 'tileFill'
      | 'tileCached'
      | 'tileEncoded'
      | 'copyRect';
  }
>;

interface CacheEntry {
  pixels?: Uint8ClampedArray<ArrayBuffer>;
  failed?: string;
}

type Op =
  | { kind: 'fill'; x: number; y: number; w: number; h: number; rgba: number }
  | { kind: 'pixels'; x: number; y: number; w: number; h: number; entry: CacheEntry }
  | {
      kind: 'copy';
      srcX: number;
      srcY: number;
      width: number;
      height: number;
      dstX: number;
      dstY: number;
    }
  | { kind: 'grid'; width: number; height: number };

export interface RendererStats {
  framesPresented: number;
  tilesDecoded: number;
  tilesFromCache: number;
  cacheMisses: number;
  decodeErrors: number;
  lastDecodeMicros: number;
}

export interface RendererHooks {
  /** Send a message to the host (cache misses, refresh requests, frame acks). */
  send(message: Message): void;
  /** A frame was presented. */
  presented?(seq: number, timestampUs: number): void;
  /** The display size changed. */
  resized?(width: number, height: number): void;
}

/**
 * Applies the tiles channel to a surface: commands between `frameBegin` and `frameEnd` are
 * collected, the frame's new tiles decoded together (in a worker when available), and the whole
 * frame applied at once, in order. The tile cache follows the host's mirror operation for
 * operation; a cached tile we lack becomes a `cacheMiss`.
 */
export class TileRenderer {
  readonly stats: RendererStats = {
    framesPresented: 0,
    tilesDecoded: 0,
    tilesFromCache: 0,
    cacheMisses: 0,
    decodeErrors: 0,
    lastDecodeMicros: 0,
  };
  private readonly cache = new HashLru<CacheEntry>();
  private grid: MessageOf<'gridConfig'> | undefined;
  private ops: Op[] = [];
  private jobs: Array<{ job: DecodeJob; entry: CacheEntry }> = [];
  private frame: { seq: number; timestampUs: number } | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly surface: PixelSurface,
    private readonly decoder: DecodePool,
    private readonly hooks: RendererHooks,
  ) {}

  /** Resolves once everything received so far is on the surface. */
  idle(): Promise<void> {
    return this.chain;
  }

  handle(m: TileMessage): void {
    switch (m.type) {
      case 'gridConfig':
        this.grid = m;
        this.ops.push({ kind: 'grid', width: m.width, height: m.height });
        if (!this.frame) this.flush(undefined);
        return;
      case 'frameBegin':
        this.frame = { seq: m.seq, timestampUs: m.timestampUs };
        return;
      case 'frameEnd':
        this.flush(
          this.frame && this.frame.seq === m.seq ? this.frame : { seq: m.seq, timestampUs: 0 },
        );
        this.frame = undefined;
        return;
      case 'copyRect':
        this.ops.push({ kind: 'copy', ...m });
        return;
      case 'tileFill': {
        const r = this.rect(m.col, m.row);
        if (r) this.ops.push({ kind: 'fill', ...r, rgba: m.rgba });
        return;
      }
      case 'tileEncoded': {
        const r = this.rect(m.col, m.row);
        if (!r) return;
        const entry: CacheEntry = {};
        if (m.hash !== 0) this.cache.set(m.hash, entry);
        this.jobs.push({ job: { codec: m.codec, data: m.data, width: r.w, height: r.h }, entry });
        this.ops.push({ kind: 'pixels', ...r, entry });
        return;
      }
      case 'tileCached': {
        const r = this.rect(m.col, m.row);
        if (!r) return;
        const entry = this.cache.get(m.hash);
        if (!entry || entry.failed) {
          this.stats.cacheMisses++;
          this.hooks.send({ type: 'cacheMiss', col: m.col, row: m.row, hash: m.hash });
          return;
        }
        this.stats.tilesFromCache++;
        this.ops.push({ kind: 'pixels', ...r, entry });
        return;
      }
    }
  }

  private rect(
    col: number,
    row: number,
  ): { x: number; y: number; w: number; h: number } | undefined {
    const g = this.grid;
    if (!g || col >= g.cols || row >= g.rows) return undefined;
    const x = col * g.tileSize;
    const y = row * g.tileSize;
    return { x, y, w: Math.min(g.tileSize, g.width - x), h: Math.min(g.tileSize, g.height - y) };
  }

  private flush(frame: { seq: number; timestampUs: number } | undefined): void {
    const ops = this.ops;
    const jobs = this.jobs;
    this.ops = [];
    this.jobs = [];
    const started = performance.now();
    const decoded: Promise<DecodeResult[]> = jobs.length
      ? this.decoder.decode(jobs.map((j) => j.job))
      : Promise.resolve([]);
    this.chain = this.chain.then(async () => {
      const results = await decoded;
      jobs.forEach((j, i) => {
        const r = results[i];
        if (r instanceof Uint8ClampedArray) j.entry.pixels = r;
        else j.entry.failed = r?.error ?? 'decoder closed';
      });
      this.stats.tilesDecoded += jobs.length;
      if (jobs.length)
        this.stats.lastDecodeMicros = Math.round((performance.now() - started) * 1000);
      let failed = false;
      for (const op of ops) failed = this.apply(op) || failed;
      if (failed) {
        this.stats.decodeErrors++;
        this.hooks.send({ type: 'refreshRequest', reason: 'decodeError' });
      }
      if (frame) {
        this.stats.framesPresented++;
        this.hooks.send({
          type: 'frameAck',
          seq: frame.seq,
          decodeMicros: this.stats.lastDecodeMicros,
        });
        this.hooks.presented?.(frame.seq, frame.timestampUs);
      }
    });
  }

  /** Applies one op; returns true when a tile could not be drawn. */
  private apply(op: Op): boolean {
    switch (op.kind) {
      case 'grid':
        this.surface.resize(op.width, op.height);
        this.hooks.resized?.(op.width, op.height);
        return false;
      case 'fill':
        this.surface.fill(op.x, op.y, op.w, op.h, op.rgba);
        return false;
      case 'copy':
        this.surface.copy(op.srcX, op.srcY, op.width, op.height, op.dstX, op.dstY);
        return false;
      case 'pixels':
        if (!op.entry.pixels) return true;
        this.surface.put(op.x, op.y, op.w, op.h, op.entry.pixels);
        return false;
    }
  }
}
