// @ts-check
/**
 * The edge's `ASSETS` binding on plain workerd (deploy/workerd/edge.capnp): the console's static
 * files from the read-only `console-files` disk service, answered the way the ASSETS of the other
 * runtimes answer (client/scripts/console-assets.ts under Miniflare and `npm start`):
 *
 *   `/`, `/index.html`, `/console`, `/console/`   the app shell (index.html), `no-cache`
 *   `/console/<file>`                            the file, `public, max-age=60`
 *   anything else, a directory, a dotfile        404 (the edge answers its JSON `not_found`)
 *
 * workerd's disk service sends every file as `application/octet-stream` and a directory as a
 * JSON listing; this worker sets the content type from the extension and never lists.
 */

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** @param {string} file a file name or path @returns {string} its media type */
export function contentType(file) {
  const name = file.slice(file.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return (dot > 0 && TYPES[name.slice(dot)]) || 'application/octet-stream';
}

/** @param {string} rel a console file @returns {string} the app shell revalidates, files cache briefly */
export function cacheControl(rel) {
  return rel === 'index.html' ? 'no-cache' : 'public, max-age=60';
}

const notFound = () =>
  new Response('not found', {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });

/**
 * The console file a request path names (shared with client/scripts/console-assets.ts, which
 * serves the same files under Miniflare and `npm start`).
 * @param {string} path the request's path @returns {string | undefined} the file, relative
 */
export function consoleFile(path) {
  if (path === '/' || path === '/index.html' || path === '/console' || path === '/console/')
    return 'index.html';
  if (!path.startsWith('/console/')) return undefined;
  const rel = path.slice('/console/'.length);
  return rel.endsWith('/') ? undefined : rel;
}

export default {
  /**
   * @param {Request} request
   * @param {{ FILES: { fetch(input: string, init?: RequestInit): Promise<Response> } }} env
   */
  async fetch(request, env) {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return new Response('method not allowed', { status: 405, headers: { allow: 'GET, HEAD' } });
    const rel = consoleFile(new URL(request.url).pathname);
    if (!rel) return notFound();
    const res = await env.FILES.fetch(`http://console-files/${rel}`, { method: request.method });
    // A file has a length; a directory listing has none.
    if (res.status === 404 || (res.status === 200 && !res.headers.has('content-length'))) {
      await res.body?.cancel();
      return notFound();
    }
    if (res.status !== 200) return res;
    const headers = new Headers({
      'content-type': contentType(rel),
      'content-length': res.headers.get('content-length') ?? '',
      'cache-control': cacheControl(rel),
    });
    const modified = res.headers.get('last-modified');
    if (modified) headers.set('last-modified', modified);
    return new Response(request.method === 'HEAD' ? null : res.body, { status: 200, headers });
  },
};
