import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';
import { countRequest } from '../services/metrics/edge-metrics.ts';

/**
 * Counts every request and its time by the route pattern that answered it (`/api/v1/sessions/:id`,
 * never the concrete path: ids would make a series each). Unmatched paths count as `unmatched`.
 */
export const requestMetrics = createMiddleware<AppEnv>(async (c, next) => {
  const t0 = performance.now();
  try {
    await next();
  } finally {
    const route = c.req.routePath && c.req.routePath !== '/*' ? c.req.routePath : 'unmatched';
    countRequest(c.req.method, route, c.res.status, performance.now() - t0);
  }
});
