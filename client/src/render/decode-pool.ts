import { decodeTile, type TileCodec } from './tile-decoder.ts';

export interface DecodeJob {
  readonly codec: TileCodec;
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export type DecodeResult = Uint8ClampedArray<ArrayBuffer> | { error: string };

/** Decodes batches of tiles, on the main thread or in a worker. */
export interface DecodePool {
  decode(jobs: readonly DecodeJob[]): Promise<DecodeResult[]>;
  close(): void;
}

export class InlineDecodePool implements DecodePool {
  async decode(jobs: readonly DecodeJob[]): Promise<DecodeResult[]> {
    return jobs.map(decodeOne);
  }
  close(): void {}
}

export function decodeOne(job: DecodeJob): DecodeResult {
  try {
    return decodeTile(job.codec, job.data, job.width, job.height);
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Decode workers started ahead, one per script URL, for the next pool that needs one. */
const spares = new Map<string, Worker>();

/**
 * Starts a decode worker ahead (while the page waits for a ticket or the relay), so the first
 * picture does not wait for the worker's script to load and start. The next
 * {@link WorkerDecodePool} for the same URL takes it; at most one waits per URL.
 */
export function prepareDecodeWorker(workerUrl: string): void {
  if (spares.has(workerUrl) || typeof Worker === 'undefined') return;
  const worker = new Worker(workerUrl);
  worker.postMessage({ id: 0, jobs: [] }); // an empty batch: the worker runs its script now
  spares.set(workerUrl, worker);
}

/** After a spare is taken, the next one starts this much later (off the first picture's path). */
const RESPARE_AFTER_MS = 2_000;

function takeWorker(workerUrl: string): Worker {
  const spare = spares.get(workerUrl);
  spares.delete(workerUrl);
  // the page's next live view (a reconnect, another session) finds one ready too
  if (spare) setTimeout(() => prepareDecodeWorker(workerUrl), RESPARE_AFTER_MS);
  return spare ?? new Worker(workerUrl);
}

interface WorkerReply {
  readonly id: number;
  readonly results: DecodeResult[];
}

/**
 * Decodes in a dedicated worker so a full-screen refresh never blocks input handling. One batch per
 * frame crosses the boundary; decoded pixels come back as transferred buffers (no copy).
 */
export class WorkerDecodePool implements DecodePool {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, (results: DecodeResult[]) => void>();

  constructor(workerUrl: string) {
    this.worker = takeWorker(workerUrl);
    this.worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const resolve = this.pending.get(e.data.id);
      this.pending.delete(e.data.id);
      resolve?.(e.data.results);
    };
  }

  decode(jobs: readonly DecodeJob[]): Promise<DecodeResult[]> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ id, jobs });
    });
  }

  close(): void {
    this.worker.terminate();
    for (const resolve of this.pending.values()) resolve([]);
    this.pending.clear();
  }
}
