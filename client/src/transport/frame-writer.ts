/** Largest single write: the WebSocket ponyfill stalls on browser writes over 64 KiB (bug 2). */
export const MAX_WRITE_BYTES = 16 * 1024;

/** Writes frames to a stream in order, split into pieces the transport handles. */
export class FrameWriter {
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private chain: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(writable: WritableStream<Uint8Array>) {
    this.writer = writable.getWriter();
  }

  write(bytes: Uint8Array): void {
    if (this.failed) return;
    for (let at = 0; at < bytes.byteLength; at += MAX_WRITE_BYTES) {
      const piece = bytes.subarray(at, Math.min(at + MAX_WRITE_BYTES, bytes.byteLength));
      this.chain = this.chain
        .then(() => this.writer.write(piece))
        .catch(() => {
          this.failed = true;
        });
    }
  }

  close(): void {
    this.chain = this.chain.then(() => this.writer.close()).catch(() => {});
  }
}
