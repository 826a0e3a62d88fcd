// Path containment and naming inside the artifacts directory.

import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';

export class PathError extends Error {}

/**
 * Resolves `rel` inside `root`; rejects absolute paths and anything that lands outside `root` (or on
 * `root` itself). Messages are prefixed with `label` (the verb name).
 */
export function resolveInside(root: string, rel: string, label: string): string {
  if (isAbsolute(rel)) throw new PathError(`${label}: absolute paths are not allowed (got ${rel})`);
  const target = resolve(root, rel);
  const inside = relative(resolve(root), target);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new PathError(`${label}: path escapes artifacts dir (got ${rel})`);
  }
  return target;
}

const UNSAFE = /[^A-Za-z0-9_.-]+/g;
export const MAX_NAME_LENGTH = 200;

/** A file name safe to place in the artifacts root, or `fallback` when nothing usable remains. */
export function sanitizeName(name: string, fallback: string): string {
  const cleaned = name.replace(UNSAFE, '_').replace(/^[.]+/, '').slice(0, MAX_NAME_LENGTH);
  return cleaned === '' || /^[_.]+$/.test(cleaned) ? fallback : cleaned;
}

/** Lower-case extension without the dot ('' when none). */
export function extensionOf(name: string): string {
  return extname(name).slice(1).toLowerCase();
}

/** True when `name` passes the download extension allowlist (no list = everything passes). */
export function extensionAllowed(name: string, allow: string[] | null): boolean {
  if (!allow) return true;
  const ext = extensionOf(name);
  return ext !== '' && allow.includes(ext);
}

/**
 * Reserves a fresh file for `name` in `dir` (creating it empty, exclusively): `name`, then
 * `stem-2.ext` … `stem-999.ext`, then a random suffix. Returns the absolute path.
 */
export async function reserveUniquePath(dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = ext ? name.slice(0, -ext.length) : name;
  for (let n = 1; n <= 1_000; n++) {
    const candidate =
      n === 1
        ? name
        : n <= 999
          ? `${stem}-${n}${ext}`
          : `${stem}-${randomBytes(4).toString('hex')}${ext}`;
    const path = join(dir, candidate);
    try {
      const handle = await open(path, 'wx');
      await handle.close();
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`could not find a free file name for ${name}`);
}
