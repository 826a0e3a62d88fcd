/**
 * Unpacks a session's approved extensions into `<session dir>/extensions/<id>/` before its browser
 * starts: each archive is checked against the digest the edge gave (size, SHA-256) and read with
 * the same strict rules the edge checked it by (no climbing out, no links), written as new files
 * only (never through anything already there), agent-owned and world-readable so the sandboxed
 * browser (its own user) reads them through a read-only bind. Chromium is told to load exactly
 * these (`--load-extension`, `--disable-extensions-except`).
 */
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { SessionExtension } from '@browserpane/api/contract';
import { inspectExtensionArchive, readEntry } from '@browserpane/api/extension-archive';
import type { Logger } from '../log.ts';
import type { FeatureSetup } from '../sessions/feature.ts';
import { ExtensionLoadError } from './errors.ts';
import type { ExtensionSource } from './extension-source.ts';

export interface UnpackedExtensions {
  readonly setup: FeatureSetup;
  readonly loaded: ReadonlyArray<{ id: string; name: string; version: string; files: number }>;
  readonly failed: ReadonlyArray<{ id: string; name: string; error: string }>;
}

/** The directory a session's extensions are unpacked in. */
export function extensionsDir(sessionDir: string): string {
  return join(sessionDir, 'extensions');
}

export async function unpackExtensions(
  source: ExtensionSource,
  sessionId: string,
  sessionDir: string,
  wanted: readonly SessionExtension[],
  log: Logger,
): Promise<UnpackedExtensions> {
  const root = extensionsDir(sessionDir);
  await rm(root, { recursive: true, force: true });
  if (wanted.length === 0) return { setup: {}, loaded: [], failed: [] };
  await mkdir(root, { recursive: true, mode: 0o755 });
  await chmod(root, 0o755);
  const dirs: string[] = [];
  const loaded: Array<UnpackedExtensions['loaded'][number]> = [];
  const failed: Array<UnpackedExtensions['failed'][number]> = [];
  for (const ext of wanted) {
    const dir = join(root, ext.extension_id);
    try {
      const files = await unpackOne(source, sessionId, ext, dir);
      dirs.push(dir);
      loaded.push({ id: ext.extension_id, name: ext.name, version: ext.version, files });
    } catch (err) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      const error = (err as Error).message.slice(0, 300);
      log.warn('extension not loaded', { extension: ext.extension_id, error });
      failed.push({ id: ext.extension_id, name: ext.name, error });
    }
  }
  if (dirs.length === 0) return { setup: {}, loaded, failed };
  const list = dirs.join(',');
  return {
    setup: {
      chromiumArgs: [`--load-extension=${list}`, `--disable-extensions-except=${list}`],
      browserReadablePaths: [root],
    },
    loaded,
    failed,
  };
}

async function unpackOne(
  source: ExtensionSource,
  sessionId: string,
  ext: SessionExtension,
  dir: string,
): Promise<number> {
  const bytes = await source.download(sessionId, ext);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== ext.size || digest !== ext.sha256)
    throw new ExtensionLoadError('the archive differs from the approved one (size or SHA-256)');
  const archive = await inspectExtensionArchive(bytes).catch((err: unknown) => {
    throw new ExtensionLoadError(`the archive is refused: ${(err as Error).message}`, {
      cause: err,
    });
  });
  await mkdir(dir, { mode: 0o755 });
  let files = 0;
  for (const entry of archive.entries) {
    const rel = entry.name.slice(archive.root.length);
    if (rel === '') continue;
    const target = resolve(dir, rel);
    if (!target.startsWith(dir + sep))
      throw new ExtensionLoadError(`entry ${entry.name} leaves the extension's directory`);
    if (entry.directory) {
      await mkdir(target, { recursive: true, mode: 0o755 });
      continue;
    }
    await mkdir(join(target, '..'), { recursive: true, mode: 0o755 });
    // `wx`: a new file, never through an entry already there
    await writeFile(target, await readEntry(bytes, entry), { mode: 0o644, flag: 'wx' });
    files++;
  }
  await openUp(dir);
  return files;
}

/**
 * Directories 0755, files 0644 whatever the agent's umask: the browser runs as another user.
 * Everything here was made by `unpackOne` (no links), and lstat is checked anyway.
 */
async function openUp(path: string): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink())
    throw new ExtensionLoadError('a link appeared in the extension directory');
  if (st.isDirectory()) {
    await chmod(path, 0o755);
    for (const name of await readdir(path)) await openUp(join(path, name));
  } else await chmod(path, 0o644);
}
