import spec from '@browserpane/api/browserpane-control-v1.yaml';
import { Hono } from 'hono';
import { parse } from 'yaml';
import type { AppEnv } from '../env.ts';
import { renderApiDocs } from '../pages/api-docs.ts';
import { HTML_HEADERS } from '../pages/html.ts';

let rendered: string | undefined;

/** The v1 contract as YAML, and a reference page rendered from it (no scripts, no CDN). */
export const docsRoutes = new Hono<AppEnv>()
  .get('/openapi.yaml', (c) =>
    c.body(spec, 200, {
      'content-type': 'application/yaml; charset=utf-8',
      'cache-control': 'public, max-age=300',
    }),
  )
  .get('/api/docs', (c) => {
    rendered ??= renderApiDocs(parse(spec));
    return c.html(rendered, 200, { ...HTML_HEADERS, 'cache-control': 'public, max-age=300' });
  });
