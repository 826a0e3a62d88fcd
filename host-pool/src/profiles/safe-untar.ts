/**
 * Unpacks a tar archive (ustar, GNU long names, pax paths) into a fresh directory, treating it as
 * hostile: a session's own profile is untrusted input. Only regular files and directories are
 * made, under the listed top-level names; an absolute path, a `..` segment, a NUL, anything past
 * the size or entry caps, or a malformed header fails the whole unpacking. Links, devices and
 * FIFOs are skipped (counted), never made. Files are created exclusively (`wx`), so nothing is
 * written through an existing entry.
 */
import { lstat, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { ProfileArchiveError } from './archive-cipher.ts';

export interface UntarLimits {
  /** Total bytes of file content. */
  readonly maxBytes: number;
  /** Files and directories. */
  readonly maxEntries: number;
}

export interface UntarResult {
  readonly files: number;
  readonly dirs: number;
  readonly bytes: number;
  /** Links, devices and FIFOs left out. */
  readonly skipped: number;
}

const BLOCK = 512;
const CHUNK = 1024 * 1024;

function cstring(buf: Buffer, start: number, length: number): string {
  const slice = buf.subarray(start, start + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end < 0 ? slice.length : end).toString('utf8');
}

function numeric(buf: Buffer, start: number, length: number): number {
  const field = buf.subarray(start, start + length);
  if ((field[0] as number) & 0x80) {
    // base-256 (GNU): big sizes
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] as number);
    if (!Number.isSafeInteger(n)) throw new ProfileArchiveError('bad_tar', 'a size is too large');
    return n;
  }
  const text = cstring(buf, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text))
    throw new ProfileArchiveError('bad_tar', 'a numeric field is not octal');
  return Number.parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = numeric(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number);
  return sum === stored;
}

/** The path's segments when it is a safe relative path under one of `tops`; else throws. */
export function safeSegments(path: string, tops: ReadonlySet<string>): string[] {
  if (path.includes('\u0000') || path.startsWith('/'))
    throw new ProfileArchiveError(
      'unsafe_entry',
      `unsafe path in archive: ${JSON.stringify(path.slice(0, 200))}`,
    );
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.some((s) => s === '..') || !tops.has(segments[0] as string))
    throw new ProfileArchiveError(
      'unsafe_entry',
      `unsafe path in archive: ${JSON.stringify(path.slice(0, 200))}`,
    );
  return segments;
}

function paxPath(records: Buffer): string | undefined {
  let at = 0;
  let path: string | undefined;
  while (at < records.length) {
    const space = records.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(records.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0 || at + length > records.length)
      throw new ProfileArchiveError('bad_tar', 'a pax header is malformed');
    const record = records.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    at += length;
  }
  return path;
}

/** Unpacks the tar file `tarPath` into `dest` (which must exist and be empty, the agent's own). */
export async function untarSafely(
  tarPath: string,
  dest: string,
  tops: ReadonlySet<string>,
  limits: UntarLimits,
): Promise<UntarResult> {
  const fh = await open(tarPath, 'r');
  const made = new Set<string>();
  let files = 0;
  let dirs = 0;
  let bytes = 0;
  let skipped = 0;
  const ensureDir = async (segments: readonly string[]) => {
    let dir = dest;
    for (const s of segments) {
      dir = join(dir, s);
      if (made.has(dir)) continue;
      try {
        await mkdir(dir, { mode: 0o700 });
        dirs++;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // only ever a directory this unpacking made (files are never replaced by directories)
        if (!(await lstat(dir)).isDirectory())
          throw new ProfileArchiveError('unsafe_entry', 'a path is both a file and a directory');
      }
      made.add(dir);
    }
  };
  try {
    const { size: total } = await fh.stat();
    const header = Buffer.alloc(BLOCK);
    let pos = 0;
    let longName: string | undefined;
    let pax: string | undefined;
    const readData = async (size: number, max: number): Promise<Buffer> => {
      if (size > max) throw new ProfileArchiveError('bad_tar', 'an extended header is too large');
      const data = Buffer.alloc(size);
      await fh.read(data, 0, size, pos);
      return data;
    };
    for (;;) {
      if (pos + BLOCK > total) throw new ProfileArchiveError('bad_tar', 'the archive is truncated');
      await fh.read(header, 0, BLOCK, pos);
      if (header.every((b) => b === 0)) break;
      if (!checksumOk(header))
        throw new ProfileArchiveError('bad_tar', 'a header checksum is wrong');
      const magic = cstring(header, 257, 6);
      const prefix = magic.startsWith('ustar') ? cstring(header, 345, 155) : '';
      const plainName = cstring(header, 0, 100);
      const size = numeric(header, 124, 12);
      const type = String.fromCharCode(header[156] as number);
      pos += BLOCK;
      const dataAt = pos;
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      if (dataAt + padded > total)
        throw new ProfileArchiveError('bad_tar', 'the archive is truncated');
      if (type === 'L') {
        longName = cstring(await readData(size, 64 * 1024), 0, size);
        pos += padded;
        continue;
      }
      if (type === 'x') {
        pax = paxPath(await readData(size, 1024 * 1024)) ?? pax;
        pos += padded;
        continue;
      }
      pos += padded;
      if (type === 'g' || type === 'K') continue;
      const path = pax ?? longName ?? (prefix ? `${prefix}/${plainName}` : plainName);
      pax = undefined;
      longName = undefined;
      const segments = safeSegments(path, tops);
      if (files + dirs >= limits.maxEntries)
        throw new ProfileArchiveError(
          'too_large',
          `the archive has more than ${limits.maxEntries} entries`,
        );
      if (type === '5') {
        await ensureDir(segments);
        continue;
      }
      if (type !== '0' && type !== '\u0000' && type !== '7') {
        skipped++;
        continue;
      }
      bytes += size;
      if (bytes > limits.maxBytes)
        throw new ProfileArchiveError(
          'too_large',
          `the archive unpacks to more than ${limits.maxBytes} bytes`,
        );
      await ensureDir(segments.slice(0, -1));
      const out = await open(join(dest, ...segments), 'wx', 0o600);
      try {
        const chunk = Buffer.alloc(Math.min(CHUNK, Math.max(1, size)));
        for (let done = 0; done < size; ) {
          const n = Math.min(chunk.length, size - done);
          const { bytesRead } = await fh.read(chunk, 0, n, dataAt + done);
          if (bytesRead !== n) throw new ProfileArchiveError('bad_tar', 'the archive is truncated');
          await out.write(chunk, 0, n);
          done += n;
        }
      } finally {
        await out.close();
      }
      files++;
    }
    return { files, dirs, bytes, skipped };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new ProfileArchiveError('unsafe_entry', 'the archive names one file twice', {
        cause: err,
      });
    throw err;
  } finally {
    await fh.close();
  }
}
