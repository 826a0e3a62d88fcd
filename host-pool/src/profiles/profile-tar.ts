/**
 * What of a session directory travels: its browser profile without caches, and its downloads.
 * The agent reads them with GNU tar, which opens every entry without following links (openat from
 * its parent, O_NOFOLLOW) and archives links as links, so a session that swaps a file for a link
 * while it runs gets the link archived (and skipped on restore), never its target.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Top-level directories of a session that a profile archive holds. */
export const PROFILE_TOPS: ReadonlySet<string> = new Set(['profile', 'downloads']);

/**
 * Chromium's caches and per-run files: rebuilt by the browser, not worth carrying (names match at
 * any depth).
 */
export const PROFILE_EXCLUDES: readonly string[] = [
  'Cache',
  'Code Cache',
  'GPUCache',
  'DawnCache',
  'DawnGraphiteCache',
  'DawnWebGPUCache',
  'GraphiteDawnCache',
  'GrShaderCache',
  'ShaderCache',
  'CacheStorage',
  'ScriptCache',
  'component_crx_cache',
  'extensions_crx_cache',
  'Crashpad',
  'BrowserMetrics',
  'BrowserMetrics-spare.pma',
  'optimization_guide_hint_cache_store',
  'optimization_guide_model_store',
  'OptimizationHints',
  'Safe Browsing',
  'segmentation_platform',
  'SingletonLock',
  'SingletonSocket',
  'SingletonCookie',
  'DevToolsActivePort',
  '*.crdownload',
];

export interface TarProcess {
  readonly stdout: Readable;
  /** Resolves when tar ended; exit 1 (a file changed while read: a live profile) is accepted. */
  readonly done: Promise<void>;
}

/** Streams an uncompressed tar of `profile/` and `downloads/` under `sessionDir`. */
export function tarSessionProfile(sessionDir: string, tarPath = 'tar'): TarProcess {
  const args = [
    '--create',
    '--file=-',
    '--format=gnu',
    '--one-file-system',
    '--ignore-failed-read',
    '--warning=no-file-changed',
    '--warning=no-file-removed',
    '--warning=no-file-shrank',
    ...PROFILE_EXCLUDES.map((p) => `--exclude=${p}`),
    '-C',
    sessionDir,
    '--',
    ...PROFILE_TOPS,
  ];
  const child = spawn(tarPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4000) stderr += d;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 || code === 1) resolve();
      else reject(new Error(`tar exited with ${code}: ${stderr.trim().slice(0, 500)}`));
    });
  });
  return { stdout: child.stdout, done };
}
