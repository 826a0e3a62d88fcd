import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

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
 * Bundles the worker as wrangler would: one ES module, workerd export conditions (so `postgres`
 * resolves to its Cloudflare build), `.yaml` imported as text, `cloudflare:*` and `node:*` left to
 * the runtime (bare Node imports too, see `nodeBuiltins`).
 */
export async function buildWorker(): Promise<string> {
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
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.text;
}
