import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { cacheControl, consoleFile, contentType } from '../../deploy/workerd/console-assets.js';
import { DIST_DIR } from './build.ts';

/**
 * The console's static files as a fetch handler, for the edge's `ASSETS` binding in local runs
 * (Workers Static Assets serve the same directory in production): `/` and `/console` are the app
 * shell, `/console/*` its scripts and styles: the mapping and media types of
 * deploy/workerd/console-assets.js, which answers the same on plain workerd.
 */
export function consoleAssets(
  dir = join(DIST_DIR, 'console'),
): (request: Request) => Promise<Response> {
  return async (request) => {
    const rel = consoleFile(new URL(request.url).pathname);
    if (!rel) return new Response('not found', { status: 404 });
    const file = normalize(join(dir, rel));
    if (!file.startsWith(dir)) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'content-type': contentType(rel),
          'cache-control': cacheControl(rel),
        },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}
