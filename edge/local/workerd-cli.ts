/**
 * `npm run build:workerd -w @browserpane/edge [-- --out <file>] [--console-out <dir>]`: bundles the
 * edge worker for plain workerd and builds the console it serves (deploy/workerd/edge.capnp embeds
 * deploy/workerd/dist/worker.js and serves deploy/workerd/dist/console as ASSETS). Then, from the
 * repository root:
 *
 *   DATABASE_URL=… TICKET_SIGNING_KEY=… … npx workerd serve deploy/workerd/edge.capnp
 */
import {
  buildWorkerdBundle,
  buildWorkerdConsole,
  WORKERD_BUNDLE,
  WORKERD_CONFIG,
  WORKERD_CONSOLE,
} from './workerd.ts';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    `Bundles the edge worker for plain workerd and builds the console it serves.\n\n  npm run build:workerd -w @browserpane/edge [-- --out <file>] [--console-out <dir>]\n    --out          the worker bundle (default ${WORKERD_BUNDLE})\n    --console-out  the console's static files (default ${WORKERD_CONSOLE})\n\nthen, from the repository root: npx workerd serve ${WORKERD_CONFIG} (settings from the environment; see deploy/workerd/README.md)`,
  );
  process.exit(0);
}

function option(name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (!value || value.startsWith('--')) {
    console.error(`${name} needs a value`);
    process.exit(2);
  }
  return value;
}

const out = option('--out');
const consoleOut = option('--console-out');
console.log(`wrote ${await buildWorkerdBundle(out)}`);
console.log(`wrote ${await buildWorkerdConsole(consoleOut)}`);
