import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { DIST_DIR } from './build.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/**
 * The console's static files as a fetch handler, for the edge's `ASSETS` binding in local runs
 * (Workers Static Assets serve the same directory in production): `/` and `/console` are the app
 * shell, `/console/*` its scripts and styles (deploy/workerd/console-assets.js answers the same on
 * plain workerd).
 */
export function consoleAssets(
  dir = join(DIST_DIR, 'console'),
): (request: Request) => Promise<Response> {
  return async (request) => {
    const path = new URL(request.url).pathname;
    const rel =
      path === '/' || path === '/index.html' || path === '/console' || path === '/console/'
        ? 'index.html'
        : path.startsWith('/console/')
          ? path.slice('/console/'.length)
          : undefined;
    if (!rel) return new Response('not found', { status: 404 });
    const file = normalize(join(dir, rel));
    if (!file.startsWith(dir)) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': rel === 'index.html' ? 'no-cache' : 'public, max-age=60',
        },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}
