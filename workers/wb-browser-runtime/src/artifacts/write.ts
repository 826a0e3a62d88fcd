// Atomic writes: a temporary file in the target directory, then rename.

import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Writes `data` to `root/rel` atomically (mkdir -p the parent). Returns the absolute path. */
export async function writeFileAtomic(
  root: string,
  rel: string,
  data: string | Uint8Array,
): Promise<string> {
  const target = resolve(root, rel);
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const tmp = tempPathFor(target);
  try {
    await writeFile(tmp, data);
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return target;
}

/** A hidden temporary path beside `target` (same directory, so rename is atomic). */
export function tempPathFor(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}
