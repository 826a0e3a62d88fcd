/**
 * What an uploaded extension archive must be: a ZIP of an unpacked Chromium extension whose
 * `manifest.json` (at the top, or inside the archive's one top folder) declares
 * `manifest_version` 3, a `name` and a `version` Chromium accepts, and whose content scripts and
 * background service worker are in the archive. The edge checks it at upload; the host unpacks
 * the same archive with the same rules.
 */
import { readEntry, readZip, type ZipEntry, ZipError, type ZipLimits } from './zip.ts';

export const EXTENSION_LIMITS: ZipLimits = {
  maxArchiveBytes: 16 * 1024 * 1024,
  maxEntries: 2000,
  maxUnpackedBytes: 64 * 1024 * 1024,
  maxFileBytes: 32 * 1024 * 1024,
};

const MANIFEST_MAX_BYTES = 1024 * 1024;

/** The manifest facts the edge keeps. */
export interface ExtensionManifest {
  readonly manifestVersion: 3;
  readonly name: string;
  readonly version: string;
  readonly description: string | null;
}

export interface InspectedArchive {
  readonly manifest: ExtensionManifest;
  /** The folder inside the archive the extension is in (`''` or `name/`). */
  readonly root: string;
  readonly entries: readonly ZipEntry[];
  /** Files (not directories) under `root`. */
  readonly files: number;
  readonly unpackedBytes: number;
}

/** Why a manifest is refused (the archive itself was readable). */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Chromium's rule: 1 to 4 dot-separated integers 0-65535, without leading zeros. */
const VERSION = /^(0|[1-9]\d{0,4})(\.(0|[1-9]\d{0,4})){0,3}$/;

/** Reads the archive's directory and manifest; throws `ZipError` or `ManifestError`. */
export async function inspectExtensionArchive(
  bytes: Uint8Array,
  limits: ZipLimits = EXTENSION_LIMITS,
): Promise<InspectedArchive> {
  const entries = readZip(bytes, limits);
  const root = extensionRoot(entries);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const manifestEntry = byName.get(`${root}manifest.json`) as ZipEntry;
  if (manifestEntry.size > MANIFEST_MAX_BYTES)
    throw new ManifestError(`manifest.json is larger than ${MANIFEST_MAX_BYTES} bytes`);
  const text = new TextDecoder('utf-8').decode(await readEntry(bytes, manifestEntry));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new ManifestError('manifest.json is not valid JSON');
  }
  const manifest = checkManifest(parsed, (path) => byName.has(`${root}${path}`));
  const inside = entries.filter((e) => e.name.startsWith(root));
  const files = inside.filter((e) => !e.directory);
  return {
    manifest,
    root,
    entries: inside,
    files: files.length,
    unpackedBytes: files.reduce((n, e) => n + e.size, 0),
  };
}

/** `''` when manifest.json is at the top, else the one top folder that holds it. */
function extensionRoot(entries: readonly ZipEntry[]): string {
  if (entries.some((e) => e.name === 'manifest.json')) return '';
  const tops = new Set(entries.map((e) => e.name.split('/')[0]));
  const [only] = tops;
  if (tops.size === 1 && only && entries.some((e) => e.name === `${only}/manifest.json`))
    return `${only}/`;
  throw new ManifestError(
    'no manifest.json at the top of the archive (or inside its one top folder)',
  );
}

function checkManifest(value: unknown, has: (path: string) => boolean): ExtensionManifest {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ManifestError('manifest.json must hold a JSON object');
  const m = value as Record<string, unknown>;
  if (m.manifest_version === 2)
    throw new ManifestError(
      'manifest_version 2 is refused: the Chromium sessions run no longer loads Manifest V2 extensions; use manifest_version 3',
    );
  if (m.manifest_version !== 3) throw new ManifestError('manifest_version must be 3');
  if (typeof m.name !== 'string' || m.name.trim() === '' || m.name.length > 75)
    throw new ManifestError('name must be a string of 1-75 characters');
  if (typeof m.version !== 'string' || !VERSION.test(m.version))
    throw new ManifestError(
      'version must be 1 to 4 dot-separated integers (0-65535, no leading zeros), e.g. "1.2.0"',
    );
  if (
    m.description !== undefined &&
    (typeof m.description !== 'string' || m.description.length > 132)
  )
    throw new ManifestError('description must be a string of at most 132 characters');
  checkFiles(m, has);
  return {
    manifestVersion: 3,
    name: m.name.trim(),
    version: m.version,
    description: typeof m.description === 'string' ? m.description : null,
  };
}

/** The scripts and styles the manifest names must be files of the archive. */
function checkFiles(m: Record<string, unknown>, has: (path: string) => boolean): void {
  const need = (path: unknown, where: string) => {
    if (typeof path !== 'string' || path === '')
      throw new ManifestError(`${where} must be a file path`);
    const clean = path.replace(/^\.?\//, '');
    try {
      if (!has(clean))
        throw new ManifestError(`${where} names ${path}, which is not in the archive`);
    } catch (err) {
      if (err instanceof ManifestError) throw err;
      throw new ManifestError(`${where} is not a usable path`);
    }
  };
  if (m.content_scripts !== undefined) {
    if (!Array.isArray(m.content_scripts) || m.content_scripts.length > 100)
      throw new ManifestError('content_scripts must be an array (at most 100 items)');
    for (const [i, cs] of (m.content_scripts as unknown[]).entries()) {
      if (!cs || typeof cs !== 'object')
        throw new ManifestError(`content_scripts[${i}] must be an object`);
      const s = cs as Record<string, unknown>;
      if (!Array.isArray(s.matches) || s.matches.length === 0)
        throw new ManifestError(`content_scripts[${i}].matches must be a non-empty array`);
      for (const key of ['js', 'css'] as const) {
        const list = s[key];
        if (list === undefined) continue;
        if (!Array.isArray(list))
          throw new ManifestError(`content_scripts[${i}].${key} must be an array`);
        for (const [j, p] of list.entries()) need(p, `content_scripts[${i}].${key}[${j}]`);
      }
    }
  }
  if (m.background !== undefined) {
    if (!m.background || typeof m.background !== 'object')
      throw new ManifestError('background must be an object');
    const bg = m.background as Record<string, unknown>;
    if (bg.service_worker !== undefined) need(bg.service_worker, 'background.service_worker');
  }
}

export { ZipError };
