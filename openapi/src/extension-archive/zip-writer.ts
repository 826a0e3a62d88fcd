/**
 * Writes a ZIP (stored or deflated entries, Unix modes): the CLI packs an extension folder with
 * it, and tests build good and hostile archives with it. Names are written as given (unchecked),
 * so a test can make the archives the reader must refuse.
 */
import { crc32, once } from './zip.ts';

export interface ZipInput {
  readonly name: string;
  /** File content; absent for a directory entry. */
  readonly data?: Uint8Array | string;
  /** Unix mode including the file type (default 0o100644, or 0o040755 for a directory). */
  readonly mode?: number;
  /** Default: deflate for files of 64 bytes or more. */
  readonly deflate?: boolean;
}

export async function writeZip(inputs: readonly ZipInput[]): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const input of inputs) {
    const name = enc.encode(input.name);
    const dir = input.data === undefined;
    const data =
      typeof input.data === 'string' ? enc.encode(input.data) : (input.data ?? new Uint8Array());
    const deflate = !dir && (input.deflate ?? data.length >= 64);
    const body = deflate ? await deflateRaw(data) : data;
    const crc = crc32(data);
    const mode = input.mode ?? (dir ? 0o040755 : 0o100644);
    const local = new Uint8Array(30 + name.length + body.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, 0x0800, true); // UTF-8 names
    lv.setUint16(8, deflate ? 8 : 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(body, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, (3 << 8) | 20, true); // made by Unix
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint16(10, deflate ? 8 : 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(38, (mode << 16) >>> 0, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const cdSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, inputs.length, true);
  ev.setUint16(10, inputs.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const reader = once(data)
    .pipeThrough(new CompressionStream('deflate-raw') as unknown as Bytes)
    .getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/** The (de)compression streams' byte types differ between workerd's and Node's typings. */
type Bytes = TransformStream<Uint8Array, Uint8Array>;
