import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { type Stamps, stampsHold, takeStamps } from '../../deploy/local/build-stamps.ts';

export const EDGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WORKER_ENTRY = join(EDGE_DIR, 'src', 'index.ts');

/** Settings shared with wrangler.toml (compatibility date and flags). */
export const COMPATIBILITY_DATE = '2026-04-01';
export const COMPATIBILITY_FLAGS = ['nodejs_compat'];

/**
 * Bare Node imports (`require('util')` in a CommonJS dependency such as prom-client) resolve to
 * the runtime's `node:*` modules (`nodejs_compat`), as wrangler resolves them.
 */
const nodeBuiltins: Plugin = {
  name: 'node-builtins',
  setup(b) {
    const names = builtinModules.filter((m) => !m.startsWith('_') && !m.includes('/'));
    b.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => ({
      path: args.path,
      namespace: 'node-builtin',
    }));
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `import * as m from 'node:${args.path}'; export default m; export * from 'node:${args.path}';`,
      loader: 'js',
    }));
  },
};

/**
 * The last bundle and the files it was built from (size and modification time each): while none
 * of them changed, the next build is that bundle. Every stack a test or `npm start` starts
 * bundles the worker (≈1.5–3 s of CPU on a 2-core machine); most find nothing changed.
 */
/** Its first line: the inputs' stamps (absolute path → [size, mtimeMs]); then the bundle. */
const CACHE_FILE = join(EDGE_DIR, '..', 'node_modules', '.cache', 'browserpane-edge-worker.js');

function cachedBundle(): string | null {
  let text: string;
  let inputs: Stamps;
  try {
    text = readFileSync(CACHE_FILE, 'utf8');
    inputs = JSON.parse(text.slice(0, text.indexOf('\n'))) as Stamps;
  } catch {
    return null;
  }
  return stampsHold(inputs) ? text.slice(text.indexOf('\n') + 1) : null;
}

function saveBundle(inputPaths: string[], text: string): void {
  // this file holds the build options: a change to it is a change to every bundle
  const { stamps: inputs, missing } = takeStamps([fileURLToPath(import.meta.url), ...inputPaths]);
  if (missing.length) return; // an input went away while building: keep no cache
  try {
    mkdirSync(dirname(CACHE_FILE), { recursive: true });
    const tmp = `${CACHE_FILE}.${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(inputs)}\n${text}`);
    renameSync(tmp, CACHE_FILE);
  } catch {
    // no cache: the next build bundles again
  }
}

/**
 * Bundles the worker as wrangler would: one ES module, workerd export conditions (so `postgres`
 * resolves to its Cloudflare build), `.yaml` imported as text, `cloudflare:*` and `node:*` left to
 * the runtime (bare Node imports too, see `nodeBuiltins`). Returns the previous bundle while none
 * of its input files changed (see `CACHE_FILE`).
 */
export async function buildWorker(): Promise<string> {
  const cached = cachedBundle();
  if (cached !== null) return cached;
  const result = await build({
    entryPoints: [WORKER_ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    plugins: [nodeBuiltins],
    loader: { '.yaml': 'text' },
    sourcemap: 'inline',
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  // metafile inputs are relative to the working directory; `node-builtin:…` are the plugin's own
  const inputs = Object.keys(result.metafile.inputs)
    .filter((path) => !/^[a-z-]+:/.test(path))
    .map((path) => (isAbsolute(path) ? path : resolve(path)));
  saveBundle(inputs, file.text);
  return file.text;
}
