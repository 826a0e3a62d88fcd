/**
 * Reading source snapshots (gzipped ustar, as `git archive` and the edge write them) safely:
 * only regular files and directories, relative paths of plain segments (no `..`, no absolute
 * paths, no links), within the limits of a workflow source.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const LIMITS = { files: 1024, fileBytes: 10 * 1024 * 1024, totalBytes: 50 * 1024 * 1024 };

export class SourceError extends Error {
  constructor(
    readonly code: 'source_invalid',
    message: string,
  ) {
    super(message);
  }
}

export interface TarEntry {
  path: string;
  data: Uint8Array;
}

function field(block: Uint8Array, at: number, len: number): string {
  const raw = block.subarray(at, at + len);
  const end = raw.indexOf(0);
  return new TextDecoder().decode(end < 0 ? raw : raw.subarray(0, end));
}

function octal(block: Uint8Array, at: number, len: number): number {
  const text = field(block, at, len).trim();
  return text ? Number.parseInt(text, 8) : 0;
}

function paxPath(data: Uint8Array): string | null {
  const text = new TextDecoder().decode(data);
  for (const line of text.split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1] ?? null;
  }
  return null;
}

function safePath(path: string): string {
  const clean = path.replace(/^\.\//, '').replace(/\/$/, '');
  if (
    !clean ||
    clean.startsWith('/') ||
    clean.includes('\\') ||
    clean.split('/').some((s) => s === '..' || s === '.' || s === '')
  )
    throw new SourceError(
      'source_invalid',
      `the source has an unsafe path: ${JSON.stringify(path.slice(0, 200))}`,
    );
  return clean;
}

/** The regular files of a gzipped tar, checked against the limits. */
export function readSnapshot(gz: Uint8Array): TarEntry[] {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(gz);
  } catch {
    throw new SourceError('source_invalid', 'the snapshot is not gzip');
  }
  const out: TarEntry[] = [];
  let total = 0;
  let nextPath: string | null = null;
  for (let off = 0; off + 512 <= tar.length; ) {
    const block = tar.subarray(off, off + 512);
    if (block.every((b) => b === 0)) break;
    const size = octal(block, 124, 12);
    const type = String.fromCharCode(block[156] ?? 0);
    const name = field(block, 0, 100);
    const prefix = field(block, 345, 155);
    const data = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'g') continue;
    if (type === 'x') {
      nextPath = paxPath(data);
      continue;
    }
    const path = nextPath ?? (prefix ? `${prefix}/${name}` : name);
    nextPath = null;
    if (type === '5') continue;
    if (type !== '0' && type !== '\0')
      throw new SourceError(
        'source_invalid',
        `the source holds ${type === '2' ? 'a symbolic link' : type === '1' ? 'a hard link' : 'a special file'} (${path.slice(0, 200)}); only regular files are allowed`,
      );
    const clean = safePath(path);
    if (size > LIMITS.fileBytes)
      throw new SourceError('source_invalid', `${clean} is larger than ${LIMITS.fileBytes} bytes`);
    total += size;
    if (total > LIMITS.totalBytes)
      throw new SourceError(
        'source_invalid',
        `the source is larger than ${LIMITS.totalBytes} bytes`,
      );
    out.push({ path: clean, data: new Uint8Array(data) });
    if (out.length > LIMITS.files)
      throw new SourceError('source_invalid', `the source has more than ${LIMITS.files} files`);
  }
  return out;
}

/** Writes the entries under `dir` (which must be new). */
export function extract(entries: readonly TarEntry[], dir: string): void {
  for (const e of entries) {
    const target = join(dir, e.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, e.data, { mode: 0o644 });
  }
}
