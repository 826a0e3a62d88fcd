import { type Context, Hono } from 'hono';
import type { AppEnv } from '../env.ts';
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

/** The console's hosting seam: static files from the optional ASSETS binding. */
export const consoleRoutes = new Hono<AppEnv>()
  .get('/auth-config.json', async (c) =>
    c.json(await authConfig(c), 200, { 'cache-control': 'no-store' }),
  )
  .get('/', (c) => (c.env.ASSETS ? c.env.ASSETS.fetch(c.req.raw) : notBuilt(c)))
  .get('/console', (c) => (c.env.ASSETS ? c.env.ASSETS.fetch(c.req.raw) : notBuilt(c)))
  .get('/console/*', (c) => (c.env.ASSETS ? c.env.ASSETS.fetch(c.req.raw) : notBuilt(c)));
