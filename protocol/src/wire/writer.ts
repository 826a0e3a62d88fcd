/** A little-endian cursor over a buffer sized in advance by the caller (an upper bound). */
export class Writer {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  offset: number;

  constructor(capacity: number, offset = 0) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
    this.offset = offset;
  }

  u8(v: number): void {
    this.view.setUint8(this.offset, v);
    this.offset += 1;
  }
  u16(v: number): void {
    this.view.setUint16(this.offset, v, true);
    this.offset += 2;
  }
  u32(v: number): void {
    this.view.setUint32(this.offset, v, true);
    this.offset += 4;
  }
  i16(v: number): void {
    this.view.setInt16(this.offset, v, true);
    this.offset += 2;
  }
  i32(v: number): void {
    this.view.setInt32(this.offset, v, true);
    this.offset += 4;
  }
  u53(v: number): void {
    this.view.setUint32(this.offset, v % 0x1_0000_0000, true);
    this.view.setUint32(this.offset + 4, Math.floor(v / 0x1_0000_0000), true);
    this.offset += 8;
  }
  put(src: Uint8Array): void {
    this.bytes.set(src, this.offset);
    this.offset += src.byteLength;
  }
  /** Writes UTF-8 into the buffer and returns the byte count (the buffer must have room). */
  utf8(s: string): number {
    const { written } = UTF8_ENCODER.encodeInto(s, this.bytes.subarray(this.offset));
    this.offset += written;
    return written;
  }
  /** Rewrites an already-written little-endian integer of `width` bytes at `at`. */
  patch(at: number, width: 1 | 2 | 4, v: number): void {
    if (width === 1) this.view.setUint8(at, v);
    else if (width === 2) this.view.setUint16(at, v, true);
    else this.view.setUint32(at, v, true);
  }
}

const UTF8_ENCODER = new TextEncoder();
