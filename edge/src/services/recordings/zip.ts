/**
 * A ZIP archive streamed without buffering its members: stored entries (media does not
 * compress), each followed by a data descriptor whose CRC-32 is computed while the bytes pass, so
 * the total length is known up front (`content-length`) and no member is read twice. Members and
 * the archive stay below 4 GiB (no ZIP64).
 */

export interface ZipEntry {
  readonly name: string;
  readonly size: number;
  readonly modified: Date;
  /** Opens the member's bytes (exactly `size` of them) when the archive reaches it. */
  readonly open: () => Promise<ReadableStream<Uint8Array>>;
}

const LIMIT = 0xffff_fffe;
const utf8 = new TextEncoder();

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Continues a CRC-32 (start with 0) over `bytes`. */
export function crc32(crc: number, bytes: Uint8Array): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++)
    c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

function dosTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

const FLAGS = 0x0808; // bit 3: data descriptor follows; bit 11: UTF-8 names

function localHeader(name: Uint8Array, modified: Date): Uint8Array {
  const out = new Uint8Array(30 + name.length);
  const v = new DataView(out.buffer);
  const { time, date } = dosTime(modified);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(4, 20, true);
  v.setUint16(6, FLAGS, true);
  v.setUint16(8, 0, true); // stored
  v.setUint16(10, time, true);
  v.setUint16(12, date, true);
  // crc and sizes are in the data descriptor
  v.setUint16(26, name.length, true);
  out.set(name, 30);
  return out;
}

function descriptor(crc: number, size: number): Uint8Array {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x08074b50, true);
  v.setUint32(4, crc, true);
  v.setUint32(8, size, true);
  v.setUint32(12, size, true);
  return out;
}

function centralHeader(
  name: Uint8Array,
  modified: Date,
  crc: number,
  size: number,
  offset: number,
): Uint8Array {
  const out = new Uint8Array(46 + name.length);
  const v = new DataView(out.buffer);
  const { time, date } = dosTime(modified);
  v.setUint32(0, 0x02014b50, true);
  v.setUint16(4, 20, true);
  v.setUint16(6, 20, true);
  v.setUint16(8, FLAGS, true);
  v.setUint16(10, 0, true);
  v.setUint16(12, time, true);
  v.setUint16(14, date, true);
  v.setUint32(16, crc, true);
  v.setUint32(20, size, true);
  v.setUint32(24, size, true);
  v.setUint16(28, name.length, true);
  v.setUint32(42, offset, true);
  out.set(name, 46);
  return out;
}

function endRecord(count: number, size: number, offset: number): Uint8Array {
  const out = new Uint8Array(22);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, count, true);
  v.setUint16(10, count, true);
  v.setUint32(12, size, true);
  v.setUint32(16, offset, true);
  return out;
}

/** The archive's exact length. */
export function zipLength(entries: readonly ZipEntry[]): number {
  let n = 22;
  for (const e of entries) {
    const name = utf8.encode(e.name).length;
    n += 30 + name + e.size + 16 + 46 + name;
  }
  return n;
}

/** Streams the archive; throws up front when it would need ZIP64. */
export function zipStream(entries: readonly ZipEntry[]): ReadableStream<Uint8Array> {
  if (entries.length > 0xfffe || zipLength(entries) > LIMIT)
    throw new RangeError('the archive would exceed 4 GiB');
  const central: Uint8Array[] = [];
  let offset = 0;
  let index = 0;
  let current:
    | {
        entry: ZipEntry;
        name: Uint8Array;
        reader: ReadableStreamDefaultReader<Uint8Array>;
        crc: number;
        seen: number;
        start: number;
      }
    | undefined;
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (current) {
        const { value, done } = await current.reader.read();
        if (!done) {
          current.crc = crc32(current.crc, value);
          current.seen += value.byteLength;
          controller.enqueue(value);
          return;
        }
        if (current.seen !== current.entry.size)
          return controller.error(
            new Error(
              `${current.entry.name}: ${current.seen} bytes, expected ${current.entry.size}`,
            ),
          );
        const desc = descriptor(current.crc, current.seen);
        central.push(
          centralHeader(
            current.name,
            current.entry.modified,
            current.crc,
            current.seen,
            current.start,
          ),
        );
        offset += desc.length + current.seen;
        current = undefined;
        controller.enqueue(desc);
        return;
      }
      const entry = entries[index++];
      if (entry) {
        const name = utf8.encode(entry.name);
        const header = localHeader(name, entry.modified);
        current = {
          entry,
          name,
          reader: (await entry.open()).getReader(),
          crc: 0,
          seen: 0,
          start: offset,
        };
        offset += header.length;
        controller.enqueue(header);
        return;
      }
      if (finished) return controller.close();
      finished = true;
      const size = central.reduce((n, c) => n + c.length, 0);
      for (const c of central) controller.enqueue(c);
      controller.enqueue(endRecord(central.length, size, offset));
    },
    async cancel() {
      await current?.reader.cancel();
    },
  });
}

/** A member made of bytes in memory. */
export function bytesEntry(name: string, bytes: Uint8Array, modified: Date): ZipEntry {
  return {
    name,
    size: bytes.byteLength,
    modified,
    open: async () =>
      new ReadableStream({
        start(c) {
          if (bytes.byteLength > 0) c.enqueue(bytes);
          c.close();
        },
      }),
  };
}
