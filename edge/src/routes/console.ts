import { type Context, Hono } from 'hono';
import { config } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { HTML_HEADERS, page } from '../pages/html.ts';
import { authConfig } from './dev-oidc.ts';

function notBuilt(c: Context<AppEnv>) {
  return c.html(
    page(
      'BrowserPane',
      `<main><div class="card"><h1>BrowserPane</h1>
<p>The console is not built into this edge (no <code>ASSETS</code> binding).</p>
<p class="muted">The API is up: see the <a href="/api/docs">API reference</a>, <a href="/openapi.yaml">openapi.yaml</a> and <a href="/healthz">/healthz</a>.</p>
</div></main>`,
    ),
    200,
    HTML_HEADERS,
  );
}

/**
 * A console path from the ASSETS binding (Workers Static Assets, the `npm start` handler, or the
 * plain-workerd console worker of deploy/workerd): what it answers, except that a file it does not
 * have is the API's JSON `not_found` in every runtime.
 */
async function fromAssets(c: Context<AppEnv>): Promise<Response> {
  const assets = c.env.ASSETS;
  if (!assets) return notBuilt(c);
  // The console's page is `console/index.html` in every layout; ask for it as `/console/` so
  // Workers Static Assets (html_handling "auto-trailing-slash") answers it instead of redirecting.
  const path = c.req.path;
  const request =
    path === '/' || path === '/console'
      ? new Request(new URL('/console/', c.req.url), c.req.raw)
      : c.req.raw;
  const res = await assets.fetch(request);
  if (res.status !== 404) return res;
  await res.body?.cancel();
  throw new AppError('not_found', `no console file at ${c.req.path}`);
}

/** The console's hosting seam: static files from the optional ASSETS binding. */
export const consoleRoutes = new Hono<AppEnv>()
  .get('/auth-config.json', async (c) => {
    const bridge = config(c.env).mcpBridgeUrl;
    return c.json(
      { ...(await authConfig(c)), ...(bridge ? { mcp_bridge_url: bridge } : {}) },
      200,
      { 'cache-control': 'no-store' },
    );
  })
  .get('/', fromAssets)
  .get('/console', fromAssets)
  .get('/console/*', fromAssets);
