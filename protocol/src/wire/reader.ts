import { ProtocolError } from '../errors.ts';

/** A bounded little-endian cursor over one payload. Every read checks the bound first. */
export class Reader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  private need(n: number, path: string): number {
    if (this.remaining < n) {
      throw new ProtocolError('truncated', `needs ${n} more bytes, ${this.remaining} left`, path);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u8(path: string): number {
    return this.view.getUint8(this.need(1, path));
  }
  u16(path: string): number {
    return this.view.getUint16(this.need(2, path), true);
  }
  u32(path: string): number {
    return this.view.getUint32(this.need(4, path), true);
  }
  i16(path: string): number {
    return this.view.getInt16(this.need(2, path), true);
  }
  i32(path: string): number {
    return this.view.getInt32(this.need(4, path), true);
  }
  /** Unsigned 64-bit on the wire, restricted to the safe-integer range (2^53 − 1). */
  u53(path: string): number {
    const at = this.need(8, path);
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getUint32(at + 4, true);
    if (hi > 0x1fffff) throw new ProtocolError('out_of_range', 'exceeds 2^53 - 1', path);
    return hi * 0x1_0000_0000 + lo;
  }
  /** A view of the next `n` bytes; no copy. */
  take(n: number, path: string): Uint8Array {
    const at = this.need(n, path);
    return this.bytes.subarray(at, at + n);
  }
  /** Everything left; no copy. */
  rest(): Uint8Array {
    const at = this.offset;
    this.offset = this.bytes.byteLength;
    return this.bytes.subarray(at);
  }
}
