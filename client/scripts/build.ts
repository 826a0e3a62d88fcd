/**
 * Builds the browser bundles into client/dist/:
 *   browserpane-client.js  the SDK (ESM)
 *   decode-worker.js       the tile decode worker
 *   console/               the console web app (index.html, console.js, console.css, workflows.css,
 *                          decode-worker.js)
 * (`buildConsole(dir)` builds the console alone into another directory.)
 * Usage: npm run build -w @browserpane/client [-- --watch] [--help]
 */
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, context } from 'esbuild';
import { type Stamps, stampsHold, takeStamps } from '../../deploy/local/build-stamps.ts';
import { webTransportPatches } from './webtransport-patches.ts';

export const CLIENT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = join(CLIENT_DIR, 'dist');

const common: BuildOptions = {
  bundle: true,
  platform: 'browser',
  target: ['chrome110'],
  conditions: ['browser'],
  sourcemap: 'linked',
  minify: true,
  legalComments: 'none',
  plugins: [webTransportPatches()],
  logLevel: 'warning',
};

function targets(): BuildOptions[] {
  return [
    {
      ...common,
      entryPoints: [join(CLIENT_DIR, 'src/index.ts')],
      outfile: join(DIST_DIR, 'browserpane-client.js'),
      format: 'esm',
    },
    {
      ...common,
      entryPoints: [join(CLIENT_DIR, 'src/render/decode-worker.ts')],
      outfile: join(DIST_DIR, 'decode-worker.js'),
      format: 'iife',
    },
    {
      ...common,
      entryPoints: [join(CLIENT_DIR, 'console/console.ts')],
      outfile: join(DIST_DIR, 'console/console.js'),
      format: 'esm',
    },
  ];
}

async function copyStatic(): Promise<void> {
  await mkdir(join(DIST_DIR, 'console'), { recursive: true });
  await copyFile(join(CLIENT_DIR, 'console/index.html'), join(DIST_DIR, 'console/index.html'));
  await copyFile(join(CLIENT_DIR, 'console/console.css'), join(DIST_DIR, 'console/console.css'));
  await copyFile(
    join(CLIENT_DIR, 'console/workflows/workflows.css'),
    join(DIST_DIR, 'console/workflows.css'),
  );
  await copyFile(join(DIST_DIR, 'decode-worker.js'), join(DIST_DIR, 'console/decode-worker.js'));
}

/**
 * Builds the console alone into `dir` (index.html, console.js, console.css, decode-worker.js and
 * their source maps): what an edge serves through its ASSETS binding, e.g.
 * deploy/workerd/dist/console for the self-hosted edge (`npm run build:workerd`).
 */
export async function buildConsole(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(CLIENT_DIR, 'console/console.ts')],
      outfile: join(dir, 'console.js'),
      format: 'esm',
    }),
    build({
      ...common,
      entryPoints: [join(CLIENT_DIR, 'src/render/decode-worker.ts')],
      outfile: join(dir, 'decode-worker.js'),
      format: 'iife',
    }),
    copyFile(join(CLIENT_DIR, 'console/index.html'), join(dir, 'index.html')),
    copyFile(join(CLIENT_DIR, 'console/console.css'), join(dir, 'console.css')),
    copyFile(join(CLIENT_DIR, 'console/workflows/workflows.css'), join(dir, 'workflows.css')),
  ]);
}

/**
 * What the last `buildClient()` read and wrote, each file's [size, mtimeMs]: while none of them
 * changed, dist/ is current and the next call returns at once (every stack a test starts calls it).
 */
const STAMPS = join(DIST_DIR, '.build-stamps.json');
const STATIC_INPUTS = [
  fileURLToPath(import.meta.url),
  join(CLIENT_DIR, 'scripts/webtransport-patches.ts'),
  join(CLIENT_DIR, 'console/index.html'),
  join(CLIENT_DIR, 'console/console.css'),
  join(CLIENT_DIR, 'console/workflows/workflows.css'),
];
const OUTPUTS = [
  'browserpane-client.js',
  'decode-worker.js',
  'console/console.js',
  'console/index.html',
  'console/console.css',
  'console/workflows.css',
  'console/decode-worker.js',
].map((f) => join(DIST_DIR, f));

function distIsCurrent(): boolean {
  try {
    return stampsHold(JSON.parse(readFileSync(STAMPS, 'utf8')) as Stamps);
  } catch {
    return false;
  }
}

/** Builds everything (nothing when dist/ is current, see `STAMPS`). */
export async function buildClient(): Promise<void> {
  if (distIsCurrent()) return;
  await mkdir(DIST_DIR, { recursive: true });
  const results = await Promise.all(targets().map((t) => build({ ...t, metafile: true })));
  await copyStatic();
  // metafile inputs are relative to the working directory
  const inputs = results.flatMap((r) => Object.keys(r.metafile.inputs)).map((p) => resolve(p));
  const { stamps } = takeStamps([...STATIC_INPUTS, ...inputs, ...OUTPUTS]);
  await writeFile(STAMPS, JSON.stringify(stamps));
  const sizes = await Promise.all(
    ['browserpane-client.js', 'decode-worker.js', 'console/console.js'].map(
      async (f) => `${f} ${(await readFile(join(DIST_DIR, f))).byteLength} B`,
    ),
  );
  await writeFile(join(DIST_DIR, 'BUILD'), `${new Date().toISOString()}\n${sizes.join('\n')}\n`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log('usage: npm run build -w @browserpane/client [-- --watch]');
    return;
  }
  if (process.argv.includes('--watch')) {
    const contexts = await Promise.all(targets().map((t) => context(t)));
    await Promise.all(contexts.map((c) => c.watch()));
    await copyStatic();
    console.log('[client] watching for changes');
    return;
  }
  await buildClient();
  console.log(`[client] built ${DIST_DIR}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
