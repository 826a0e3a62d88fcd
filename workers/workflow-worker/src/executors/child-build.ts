/**
 * The entrypoint process's script, compiled once when the worker starts (esbuild: one ES module
 * that imports playwright-core, ws, and tsx when needed, from where this worker resolves them), so a
 * warm process is plain `node`, without a TypeScript loader to start first. A version whose
 * entrypoint is TypeScript registers tsx in its own process.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const SOURCE = join(import.meta.dirname, 'playwright-child.ts');
/** Imported by the compiled script from this worker's installation, not bundled. */
const EXTERNAL = /^(playwright-core|tsx\/esm\/api|ws)$/;

export async function compileChild(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'playwright-child.mjs');
  await build({
    entryPoints: [SOURCE],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    plugins: [
      {
        name: 'from-this-worker',
        setup(b) {
          b.onResolve({ filter: EXTERNAL }, (args) => ({
            path: import.meta.resolve(args.path),
            external: true,
          }));
        },
      },
    ],
  });
  return outfile;
}
