/**
 * A small, strict ZIP reader for extension archives, the same on the edge (workerd) and on hosts
 * (Node): it reads the central directory, refuses what an unpacked extension never needs
 * (encryption, ZIP64, symbolic links, names that climb out, duplicate names) and inflates one entry
 * at a time with the platform's `DecompressionStream`, never past the size the directory declared,
 * checking each entry's CRC-32.
 */

export interface ZipLimits {
  /** Largest archive in bytes. */
  readonly maxArchiveBytes: number;
  /** Most entries (files and directories). */
  readonly maxEntries: number;
  /** Largest sum of the files' unpacked sizes. */
  readonly maxUnpackedBytes: number;
  /** Largest single unpacked file. */
  readonly maxFileBytes: number;
}

export interface ZipEntry {
  /** The path inside the archive (`/`-separated, no leading slash; directories end in `/`). */
  readonly name: string;
  readonly directory: boolean;
  readonly method: 0 | 8;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
}

export type ZipProblem =
  | 'not_a_zip'
  | 'too_large'
  | 'too_many_entries'
  | 'unsafe_path'
  | 'duplicate_path'
  | 'symlink'
  | 'encrypted'
  | 'unsupported'
  | 'corrupt';

/** Why an archive is refused; `reason` is stable, the message says which entry. */
export class ZipError extends Error {
  constructor(
    readonly reason: ZipProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ZipError';
  }
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** Checks one entry name: relative, `/`-separated, no `.`/`..`/empty segments, printable. */
export function checkEntryName(name: string): void {
  const bad = (why: string) => {
    throw new ZipError('unsafe_path', `entry ${JSON.stringify(name.slice(0, 120))}: ${why}`);
  };
  if (name.length === 0 || name.length > 1024) bad('name length must be 1-1024');
  if (name.startsWith('/')) bad('absolute paths are refused');
  if (name.includes('\\')) bad('backslashes are refused');
  if (/[\u0000-\u001f\u007f]/.test(name)) bad('control characters are refused');
  if (/^[A-Za-z]:/.test(name)) bad('drive letters are refused');
  const segments = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') bad('empty, "." and ".." segments are refused');
    if (new TextEncoder().encode(s).length > 255) bad('a segment is longer than 255 bytes');
  }
}

/** Reads and checks the central directory of `bytes`. */
export function readZip(bytes: Uint8Array, limits: ZipLimits): ZipEntry[] {
  if (bytes.length > limits.maxArchiveBytes)
    throw new ZipError('too_large', `the archive exceeds ${limits.maxArchiveBytes} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfDirectory(bytes, view);
  const disk = view.getUint16(eocd + 4, true);
  const cdDisk = view.getUint16(eocd + 6, true);
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (disk !== 0 || cdDisk !== 0 || view.getUint16(eocd + 8, true) !== count)
    throw new ZipError('unsupported', 'multi-part archives are not supported');
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
    throw new ZipError('unsupported', 'ZIP64 archives are not supported');
  if (count > limits.maxEntries)
    throw new ZipError(
      'too_many_entries',
      `the archive has more than ${limits.maxEntries} entries`,
    );
  if (cdOffset + cdSize > eocd)
    throw new ZipError('corrupt', 'the central directory is out of range');
  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== CEN_SIG)
      throw new ZipError('corrupt', `central directory entry ${i} is damaged`);
    const madeBy = view.getUint16(p + 4, true) >> 8;
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc32 = view.getUint32(p + 16, true);
    const compressedSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const external = view.getUint32(p + 38, true);
    const localHeaderOffset = view.getUint32(p + 42, true);
    const end = p + 46 + nameLength + extraLength + commentLength;
    if (end > eocd) throw new ZipError('corrupt', `central directory entry ${i} is out of range`);
    let name: string;
    try {
      name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength));
    } catch {
      throw new ZipError('unsafe_path', `entry ${i}: the name is not UTF-8`);
    }
    p = end;
    checkEntryName(name);
    if (flags & 0x1)
      throw new ZipError('encrypted', `entry ${name}: encrypted entries are refused`);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localHeaderOffset === 0xffffffff)
      throw new ZipError('unsupported', `entry ${name}: ZIP64 entries are not supported`);
    // Unix-made archives keep the file type in the upper half of the external attributes
    const mode = madeBy === 3 ? external >>> 16 : 0;
    const type = mode & S_IFMT;
    if (type === S_IFLNK)
      throw new ZipError('symlink', `entry ${name}: symbolic links are refused`);
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR)
      throw new ZipError('unsupported', `entry ${name}: only files and directories are allowed`);
    const directory = name.endsWith('/') || type === S_IFDIR;
    if (directory && size !== 0)
      throw new ZipError('corrupt', `entry ${name}: a directory with content`);
    if (method !== 0 && method !== 8)
      throw new ZipError(
        'unsupported',
        `entry ${name}: compression method ${method} is not supported`,
      );
    if (method === 0 && compressedSize !== size)
      throw new ZipError('corrupt', `entry ${name}: stored sizes differ`);
    const key = (directory && !name.endsWith('/') ? `${name}/` : name).toLowerCase();
    if (seen.has(key)) throw new ZipError('duplicate_path', `entry ${name} appears twice`);
    seen.add(key);
    if (size > limits.maxFileBytes)
      throw new ZipError(
        'too_large',
        `entry ${name} unpacks to more than ${limits.maxFileBytes} bytes`,
      );
    total += size;
    if (total > limits.maxUnpackedBytes)
      throw new ZipError(
        'too_large',
        `the archive unpacks to more than ${limits.maxUnpackedBytes} bytes`,
      );
    if (localHeaderOffset + 30 + compressedSize > cdOffset)
      throw new ZipError('corrupt', `entry ${name}: its data is out of range`);
    entries.push({
      name: directory && !name.endsWith('/') ? `${name}/` : name,
      directory,
      method: method as 0 | 8,
      compressedSize,
      size,
      crc32,
      localHeaderOffset,
    });
  }
  // a file and a directory of the same name (a/b as a file, a/b/c below it) would collide
  for (const e of entries) {
    const parts = e.name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/').toLowerCase();
      if (seen.has(parent)) throw new ZipError('duplicate_path', `entry ${e.name} is below a file`);
    }
  }
  return entries;
}

function findEndOfDirectory(bytes: Uint8Array, view: DataView): number {
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= lowest; i--)
    if (view.getUint32(i, true) === EOCD_SIG) return i;
  throw new ZipError('not_a_zip', 'not a ZIP archive (no end of central directory)');
}

/** The unpacked bytes of a file entry (inflated up to its declared size, CRC-32 checked). */
export async function readEntry(bytes: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOC_SIG)
    throw new ZipError('corrupt', `entry ${entry.name}: local header is damaged`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + entry.compressedSize > bytes.length)
    throw new ZipError('corrupt', `entry ${entry.name}: data is out of range`);
  const raw = bytes.subarray(start, start + entry.compressedSize);
  const out = entry.method === 0 ? raw.slice() : await inflate(raw, entry);
  if (crc32(out) !== entry.crc32)
    throw new ZipError('corrupt', `entry ${entry.name}: CRC-32 mismatch`);
  return out;
}

async function inflate(raw: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const out = new Uint8Array(entry.size);
  let filled = 0;
  const stream = once(raw).pipeThrough(new DecompressionStream('deflate-raw') as unknown as Bytes);
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (filled + value.length > entry.size)
        throw new ZipError('corrupt', `entry ${entry.name} inflates past its declared size`);
      out.set(value, filled);
      filled += value.length;
    }
  } catch (err) {
    if (err instanceof ZipError) throw err;
    throw new ZipError('corrupt', `entry ${entry.name} does not inflate`);
  } finally {
    reader.cancel().catch(() => undefined);
  }
  if (filled !== entry.size)
    throw new ZipError(
      'corrupt',
      `entry ${entry.name} inflates to ${filled} bytes, not ${entry.size}`,
    );
  return out;
}

let table: Uint32Array | undefined;

export function crc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++)
    c = (table[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A stream of one chunk (no Blob: the same in workerd and Node). */
export function once(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** The (de)compression streams' byte types differ between workerd's and Node's typings. */
type Bytes = TransformStream<Uint8Array, Uint8Array>;
