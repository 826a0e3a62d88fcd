import {
  CLOSE_CODES,
  closeCodeName,
  fitUtf8,
  MAX_FILE_CHUNK_BYTES,
  type Message,
  type MessageOf,
} from '@browserpane/protocol';

/** Bytes sent ahead of the host's last ack (the host acks every 256 KiB it has on disk). */
export const UPLOAD_WINDOW_BYTES = 1024 * 1024;

/** Stable codes an upload fails with: the host's (`file_too_large`, `file_rejected`, `rate_limited`) or ours. */
export type UploadErrorCode = string;

export class UploadError extends Error {
  override readonly name = 'UploadError';
  constructor(
    readonly code: UploadErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface UploadResult {
  readonly fileId: number;
  /** The name the host stored it under (made unique in the session's upload directory). */
  readonly storedName: string;
  readonly size: number;
  /** Bytes the host already had from an interrupted earlier attempt. */
  readonly resumedFrom: number;
}

export interface UploadProgress {
  readonly fileId: number;
  readonly name: string;
  readonly size: number;
  /** Bytes the host has confirmed on disk. */
  readonly stored: number;
}

/**
 * One outgoing upload: `uploadBegin`, then (after the host says where to start — 0, or where an
 * interrupted attempt stopped) 64 KiB chunks read lazily from the Blob, never more than
 * {@link UPLOAD_WINDOW_BYTES} ahead of the host's acks, then `uploadEnd` and the host's `stored`
 * ack. `abort()` tells the host to delete what it has.
 */
export class OutgoingUpload {
  readonly done: Promise<UploadResult>;
  private resolve!: (r: UploadResult) => void;
  private reject!: (e: UploadError) => void;
  private acked = 0;
  private started: ((from: number) => void) | undefined;
  private wake: (() => void) | undefined;
  private finished = false;
  private resumedFrom = 0;
  private begun = false;

  constructor(
    readonly fileId: number,
    readonly file: Blob,
    readonly name: string,
    private readonly send: (m: Message) => void,
    private readonly onProgress: (p: UploadProgress) => void,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Nobody may await it (fire and forget): never an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get size(): number {
    return this.file.size;
  }

  /** Runs the transfer; the outcome is `done` (this never rejects). */
  async run(): Promise<void> {
    try {
      await this.transfer();
    } catch (err) {
      // A name the protocol refuses (a path), a Blob that cannot be read …
      if (this.begun && !this.finished)
        this.send({ type: 'uploadAbort', fileId: this.fileId, code: CLOSE_CODES.normal });
      this.fail(new UploadError('file_rejected', `cannot upload: ${(err as Error).message}`));
    }
  }

  private async transfer(): Promise<void> {
    this.send({
      type: 'uploadBegin',
      fileId: this.fileId,
      name: fitUtf8(this.name, 255),
      size: this.file.size,
      mime: fitUtf8(this.file.type || '', 127),
    });
    this.begun = true;
    const from = await new Promise<number>((resolve) => {
      this.started = resolve;
    });
    if (this.finished) return;
    this.resumedFrom = from;
    this.acked = from;
    let offset = from;
    while (offset < this.file.size && !this.finished) {
      while (offset - this.acked >= UPLOAD_WINDOW_BYTES && !this.finished)
        await new Promise<void>((r) => {
          this.wake = r;
        });
      if (this.finished) return;
      const end = Math.min(this.file.size, offset + MAX_FILE_CHUNK_BYTES);
      const data = new Uint8Array(await this.file.slice(offset, end).arrayBuffer());
      if (this.finished) return;
      this.send({ type: 'uploadChunk', fileId: this.fileId, offset, data });
      offset = end;
    }
    if (!this.finished) this.send({ type: 'uploadEnd', fileId: this.fileId });
  }

  /** Routes the host's answers for this upload. */
  onMessage(m: MessageOf<'uploadAck'> | MessageOf<'uploadAbort'>): void {
    if (this.finished) return;
    if (m.type === 'uploadAbort') {
      const code = closeCodeName(m.code) ?? String(m.code);
      this.fail(new UploadError(code, `the host refused the upload (${code})`));
      return;
    }
    if (this.started) {
      const start = this.started;
      this.started = undefined;
      start(Math.min(m.receivedBytes, this.file.size));
      return;
    }
    this.acked = Math.max(this.acked, m.receivedBytes);
    this.onProgress({ fileId: this.fileId, name: this.name, size: this.size, stored: this.acked });
    this.wake?.();
    if (m.state === 'stored') {
      this.finished = true;
      this.resolve({
        fileId: this.fileId,
        storedName: m.storedName,
        size: m.receivedBytes,
        resumedFrom: this.resumedFrom,
      });
    }
  }

  /** Cancels: the host deletes the bytes it has. */
  abort(): void {
    if (this.finished) return;
    this.send({ type: 'uploadAbort', fileId: this.fileId, code: CLOSE_CODES.normal });
    this.fail(new UploadError('aborted', 'upload aborted'));
  }

  /** The connection closed under it. */
  disconnected(): void {
    this.fail(new UploadError('disconnected', 'the connection closed during the upload'));
  }

  private fail(err: UploadError): void {
    if (this.finished) return;
    this.finished = true;
    this.started?.(0);
    this.started = undefined;
    this.wake?.();
    this.reject(err);
  }
}
