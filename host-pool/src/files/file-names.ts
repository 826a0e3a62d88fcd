import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';

/** Longest stored name in UTF-8 bytes (ext4 and the protocol's name field both stop at 255). */
const MAX_NAME_BYTES = 255;
const encoder = new TextEncoder();

// Separators, NUL and control characters have no place in a bare file name; `\` too, since a
// name may travel on to systems that treat it as a separator.
const FORBIDDEN = /[/\\\u0000-\u001f\u007f]/;

/**
 * The name an upload is stored under, or `undefined` when the client's name is not a bare file
 * name (a path, `.`/`..`, control characters, only dots and spaces, empty). Refusing beats
 * repairing: a name with `/` means a confused or hostile client.
 */
export function uploadName(raw: string): string | undefined {
  const name = raw.normalize('NFC').trim();
  if (!name || FORBIDDEN.test(name)) return undefined;
  if (/^[.\s]+$/.test(name)) return undefined;
  if (encoder.encode(name).byteLength > MAX_NAME_BYTES) return undefined;
  return name;
}

/**
 * A display name for a file the remote browser saved (Chromium's suggested name comes from the
 * page, so it is cleaned rather than refused): separators and control characters become `_`,
 * the result is cut to 255 bytes keeping the extension, and an empty result is `download`.
 */
export function downloadName(suggested: string): string {
  let name = suggested
    .normalize('NFC')
    .replace(/[/\\\u0000-\u001f\u007f]/g, '_')
    .trim();
  if (!name || /^[.\s]+$/.test(name)) name = 'download';
  return fitBytes(name, MAX_NAME_BYTES);
}

/** Cuts `name` to `max` UTF-8 bytes, keeping its extension when it is short. */
export function fitBytes(name: string, max: number): string {
  if (encoder.encode(name).byteLength <= max) return name;
  const ext = extname(name);
  const keep = ext && encoder.encode(ext).byteLength <= 32 ? ext : '';
  const stem = [...name.slice(0, name.length - keep.length)];
  while (stem.length > 0 && encoder.encode(stem.join('') + keep).byteLength > max) stem.pop();
  return stem.join('') + keep;
}

/** `name`, or `name (2).ext`, `name (3).ext` … — the first that does not exist in `dir`. */
export function uniqueName(
  dir: string,
  name: string,
  taken: ReadonlySet<string> = new Set(),
): string {
  if (!existsSync(join(dir, name)) && !taken.has(name)) return name;
  const ext = extname(name);
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  for (let i = 2; ; i++) {
    const candidate = fitBytes(`${stem} (${i})${ext}`, MAX_NAME_BYTES);
    if (!existsSync(join(dir, candidate)) && !taken.has(candidate)) return candidate;
  }
}

const MIME_BY_EXT: Record<string, string> = {
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xml': 'application/xml',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** A MIME type from the extension (Chromium's download events carry none). */
export function mimeFor(name: string): string {
  return MIME_BY_EXT[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** A client-declared MIME type when it looks like one, else one from the name. */
export function cleanMime(declared: string, name: string): string {
  return /^[\w.+-]+\/[\w.+-]+$/.test(declared) ? declared.toLowerCase() : mimeFor(name);
}
