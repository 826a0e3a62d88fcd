import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { edgeRegistry, queueDepth } from '../services/metrics/edge-metrics.ts';
import { WAITING_STATES } from '../services/session-view.ts';
import { requireOneSecret } from './hosts.ts';

/**
 * `GET /metrics` (Prometheus text format) for `Authorization: Bearer <METRICS_TOKEN>` or the
 * operator token; anyone else gets the API's 401.
 */
export const metricsRoutes = new Hono<AppEnv>().get('/metrics', async (c) => {
  await requireOneSecret(
    c.req.header('authorization'),
    [c.env.METRICS_TOKEN, c.env.OPERATOR_TOKEN],
    'metrics token',
  );
  const [row] = await c.var.db().execute<{ n: number }>(
    sql`select count(*)::int as n from sessions where state in (${sql.join(
      WAITING_STATES.map((s) => sql`${s}`),
      sql`, `,
    )})`,
  );
  queueDepth.set(Number(row?.n ?? 0));
  return c.body(await edgeRegistry.metrics(), 200, {
    'content-type': edgeRegistry.contentType,
    'cache-control': 'no-store',
  });
});
