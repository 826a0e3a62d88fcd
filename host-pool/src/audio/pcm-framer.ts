/**
 * Cuts a byte stream (a child's stdout) into fixed-size frames without copying more than the
 * bytes that straddle two chunks. Frames handed out are fresh Buffers the caller may keep.
 */
export class PcmFramer {
  private readonly pending: Buffer;
  private filled = 0;

  constructor(readonly frameSize: number) {
    if (!Number.isInteger(frameSize) || frameSize <= 0) throw new RangeError('frameSize');
    this.pending = Buffer.alloc(frameSize);
  }

  /** Bytes held back until the next chunk completes a frame. */
  get buffered(): number {
    return this.filled;
  }

  /** Feeds `chunk`; returns every frame it completes, oldest first. */
  push(chunk: Uint8Array): Buffer[] {
    const frames: Buffer[] = [];
    let offset = 0;
    if (this.filled > 0) {
      const take = Math.min(this.frameSize - this.filled, chunk.byteLength);
      this.pending.set(chunk.subarray(0, take), this.filled);
      this.filled += take;
      offset = take;
      if (this.filled < this.frameSize) return frames;
      frames.push(Buffer.from(this.pending));
      this.filled = 0;
    }
    while (chunk.byteLength - offset >= this.frameSize) {
      frames.push(Buffer.from(chunk.subarray(offset, offset + this.frameSize)));
      offset += this.frameSize;
    }
    const rest = chunk.byteLength - offset;
    if (rest > 0) {
      this.pending.set(chunk.subarray(offset), 0);
      this.filled = rest;
    }
    return frames;
  }

  /** Drops a partial frame (after the source restarted). */
  reset(): void {
    this.filled = 0;
  }
}
