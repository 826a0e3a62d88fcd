import { ProtocolError } from './errors.ts';
import { HEADER_BYTES, MAX_PAYLOAD_BYTES } from './limits.ts';

/** One envelope: `u8 channel | u32 length (LE) | payload`. */
export interface Frame {
  readonly channel: number;
  readonly payload: Uint8Array;
}

export interface FrameDecoderOptions {
  /** Largest payload accepted (default and ceiling: 16 MiB). */
  readonly maxPayloadBytes?: number;
  /** Channel ids accepted; anything else fails at the header. */
  readonly isKnownChannel?: (channel: number) => boolean;
  /** Observes every buffer the decoder allocates (payloads that span chunks); for tests. */
  readonly onAllocate?: (bytes: number) => void;
}

/** Wraps a payload into a frame (copies once). */
export function encodeFrame(channel: number, payload: Uint8Array): Uint8Array {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    throw new ProtocolError('frame_too_large', `payload of ${payload.byteLength} bytes`);
  }
  const out = new Uint8Array(HEADER_BYTES + payload.byteLength);
  out[0] = channel;
  new DataView(out.buffer).setUint32(1, payload.byteLength, true);
  out.set(payload, HEADER_BYTES);
  return out;
}

/**
 * Turns a byte stream, in any chunking, into frames. The header is validated (known channel,
 * non-empty, ≤ max length) as soon as its 5 bytes arrive, before any of the payload is buffered.
 * A payload inside one chunk is returned as a view (no copy); one that spans chunks is assembled
 * into exactly `length` bytes. After an error the decoder stays failed and rethrows it.
 */
export class FrameDecoder {
  private readonly maxPayload: number;
  private readonly isKnownChannel: (channel: number) => boolean;
  private readonly onAllocate: ((bytes: number) => void) | undefined;
  private chunks: Uint8Array[] = [];
  private headOffset = 0;
  private buffered = 0;
  private channel = -1;
  private length = -1;
  private failure: ProtocolError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxPayload = Math.min(options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES);
    this.isKnownChannel = options.isKnownChannel ?? (() => true);
    this.onAllocate = options.onAllocate;
  }

  /** Bytes received but not yet returned as frames. */
  get pendingBytes(): number {
    return this.buffered + (this.length >= 0 ? HEADER_BYTES : 0);
  }

  /**
   * The declared payload length of the frame being assembled, or -1 when no header is complete
   * (between frames, or fewer than 5 header bytes so far: see {@link pendingBytes}).
   */
  get expectedLength(): number {
    return this.length;
  }

  push(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
  }

  /** The next complete frame, or `undefined` until more bytes arrive. */
  next(): Frame | undefined {
    if (this.failure) throw this.failure;
    if (this.length < 0) {
      if (this.buffered < HEADER_BYTES) return undefined;
      const header = this.take(HEADER_BYTES);
      const channel = header[0] as number;
      const length =
        ((header[1] as number) |
          ((header[2] as number) << 8) |
          ((header[3] as number) << 16) |
          ((header[4] as number) << 24)) >>>
        0;
      if (!this.isKnownChannel(channel)) {
        return this.fail(new ProtocolError('unknown_channel', `unknown channel 0x${hex(channel)}`));
      }
      if (length === 0) {
        return this.fail(new ProtocolError('empty_payload', 'payload must start with a tag'));
      }
      if (length > this.maxPayload) {
        return this.fail(
          new ProtocolError(
            'frame_too_large',
            `declared ${length} bytes, limit ${this.maxPayload}`,
          ),
        );
      }
      this.channel = channel;
      this.length = length;
    }
    if (this.buffered < this.length) return undefined;
    const payload = this.take(this.length);
    const frame: Frame = { channel: this.channel, payload };
    this.channel = -1;
    this.length = -1;
    return frame;
  }

  /** Pushes `chunk` and yields every frame it completes. */
  *feed(chunk: Uint8Array): Generator<Frame> {
    this.push(chunk);
    for (let frame = this.next(); frame; frame = this.next()) yield frame;
  }

  private fail(error: ProtocolError): never {
    this.failure = error;
    this.chunks = [];
    this.buffered = 0;
    throw error;
  }

  /** Removes `n` buffered bytes (n ≤ buffered): a view when they sit in one chunk, else a copy. */
  private take(n: number): Uint8Array {
    const head = this.chunks[0] as Uint8Array;
    const available = head.byteLength - this.headOffset;
    this.buffered -= n;
    if (available >= n) {
      const view = head.subarray(this.headOffset, this.headOffset + n);
      this.headOffset += n;
      if (this.headOffset === head.byteLength) {
        this.chunks.shift();
        this.headOffset = 0;
      }
      return view;
    }
    this.onAllocate?.(n);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0] as Uint8Array;
      const part = Math.min(chunk.byteLength - this.headOffset, n - filled);
      out.set(chunk.subarray(this.headOffset, this.headOffset + part), filled);
      filled += part;
      this.headOffset += part;
      if (this.headOffset === chunk.byteLength) {
        this.chunks.shift();
        this.headOffset = 0;
      }
    }
    return out;
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
