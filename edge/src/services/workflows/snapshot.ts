/**
 * Source snapshots: a gzipped tar (ustar) of the files a version runs, stored once in the artifact
 * store under its SHA-256. Inline sources are packed here; git sources by the worker that resolved
 * them (`git archive`), which sends the same format.
 */
import { AppError } from '../../errors.ts';
import { hex } from '../crypto.ts';

/** Where a snapshot with this digest lives (content-addressed: stored once). */
export function snapshotKey(sha256: string): string {
  return `workflow-snapshots/${sha256}.tar.gz`;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** A relative path of plain segments (no `..`, no absolute or hidden-root forms), ≤ 100 bytes. */
export function checkSourcePath(path: string, what: string): string {
  const bytes = new TextEncoder().encode(path).byteLength;
  if (bytes === 0 || bytes > 100 || !path.split('/').every((s) => SEGMENT.test(s)))
    throw new AppError(
      'validation_failed',
      `${what} must be a relative path of plain segments (letters, digits, . _ -; at most 100 bytes), got ${JSON.stringify(path.slice(0, 120))}`,
    );
  return path;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mtime: number): Uint8Array {
  const h = new Uint8Array(512);
  const enc = new TextEncoder();
  const put = (text: string, at: number) => h.set(enc.encode(text), at);
  put(name, 0);
  put(octal(0o644, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(mtime, 12), 136);
  put('        ', 148);
  put('0', 156);
  put('ustar\u000000', 257);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** A tar of `files` (path → UTF-8 text), sorted by path, gzipped; with its digest. */
export async function packInline(
  files: Record<string, string>,
): Promise<{ bytes: Uint8Array; sha256: string; fileCount: number }> {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const path of Object.keys(files).sort()) {
    checkSourcePath(path, `source.files key ${JSON.stringify(path.slice(0, 60))}`);
    const content = enc.encode(files[path] ?? '');
    parts.push(header(path, content.byteLength, 0), content);
    const pad = (512 - (content.byteLength % 512)) % 512;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(1024));
  const tar = new Blob(parts);
  const gz = new Uint8Array(
    await new Response(tar.stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer(),
  );
  const digest = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', gz)));
  return { bytes: gz, sha256: digest, fileCount: Object.keys(files).length };
}
