/**
 * Crash safety: the live WebM on local disk only grows, so what was appended since the last upload
 * goes to the store as the next numbered part (`part-000001`, …). The parts joined in order are a
 * playable WebM up to the last upload; the edge joins them itself when a recorder dies. Nothing new
 * on disk (an idle page), nothing uploaded.
 */
import { open, stat } from 'node:fs/promises';
import type { WorkerApi } from '../edge/worker-api.ts';

export class PartUploader {
  parts = 0;
  uploaded = 0;
  via: 'edge' | 'presigned' | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly api: WorkerApi,
  ) {}

  /** The first upload error (the recording fails with it). */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Uploads what was appended since the last part (serially; a call while one runs queues). */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => (this.failure ? undefined : this.uploadNew()));
    return this.chain;
  }

  private async uploadNew(): Promise<void> {
    const size = (await stat(this.path)).size;
    if (size <= this.uploaded) return;
    const file = await open(this.path, 'r');
    try {
      const bytes = new Uint8Array(size - this.uploaded);
      await file.read(bytes, 0, bytes.byteLength, this.uploaded);
      const part = this.parts + 1;
      this.via = await this.api.upload(
        { artifact: 'part', part, content_type: 'application/octet-stream' },
        bytes,
      );
      this.parts = part;
      this.uploaded = size;
    } catch (err) {
      this.failure = err as Error;
    } finally {
      await file.close();
    }
  }
}
