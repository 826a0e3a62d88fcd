import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const EDGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WORKER_ENTRY = join(EDGE_DIR, 'src', 'index.ts');

/** Settings shared with wrangler.toml (compatibility date and flags). */
export const COMPATIBILITY_DATE = '2026-04-01';
export const COMPATIBILITY_FLAGS = ['nodejs_compat'];

/**
 * Bundles the worker as wrangler would: one ES module, workerd export conditions (so `postgres`
 * resolves to its Cloudflare build), `.yaml` imported as text, `cloudflare:*` and `node:*` left to
 * the runtime.
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
    loader: { '.yaml': 'text' },
    sourcemap: 'inline',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.text;
}
