// Placing captured bytes in the artifacts directory: unique name, temp file, rename.

import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, relative } from 'node:path';
import { reserveUniquePath, resolveInside } from '../artifacts/paths.ts';
import { tempPathFor } from '../artifacts/write.ts';

export interface SavedArtifact {
  /** Path relative to the artifacts dir (the bare name for files in its root). */
  filename: string;
  path: string;
  bytes: number;
}

/**
 * Reserves a unique file for `name` (may contain sub-directories; contained in `root`), lets
 * `write` fill a temporary file beside it, then renames it into place.
 */
export async function saveArtifact(
  root: string,
  name: string,
  label: string,
  write: (tmpPath: string) => Promise<void>,
): Promise<SavedArtifact> {
  const wanted = resolveInside(root, name, label);
  await mkdir(dirname(wanted), { recursive: true });
  const final = await reserveUniquePath(dirname(wanted), basename(wanted));
  const tmp = tempPathFor(final);
  try {
    await write(tmp);
    await rename(tmp, final);
  } catch (error) {
    await rm(tmp, { force: true });
    await rm(final, { force: true });
    throw error;
  }
  const { size } = await stat(final);
  return { filename: relative(root, final), path: final, bytes: size };
}

/** The `slice.artifact_saved` frame for a captured download. */
export function downloadSavedFrame(saved: SavedArtifact, provenance: Record<string, unknown>) {
  return {
    type: 'slice.artifact_saved' as const,
    filename: saved.filename,
    path: saved.path,
    bytes: saved.bytes,
    source: 'download',
    provenance,
  };
}
