import { Hono } from 'hono';
import { config } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { queryParams } from '../http/request.ts';
import { runSweep } from '../services/jobs.ts';
import { requireSecret } from './hosts.ts';

/**
 * Operator maintenance, with the operator token. `POST /sweep` runs the periodic sweep (idle
 * stops, lost hosts, placement of queued sessions, cleanup) exactly as the Worker's cron trigger
 * does, for deployments without cron triggers (plain workerd): a scheduler calls it every minute
 * (the compose `sweeper`, the Kubernetes CronJob, a systemd timer; see deploy/README.md).
 */
export const maintenanceRoutes = new Hono<AppEnv>().post('/sweep', async (c) => {
  await requireSecret(c.req.header('authorization'), c.env.OPERATOR_TOKEN, 'operator token');
  queryParams(c, []);
  const result = await runSweep(c.var.db(), new Date(), config(c.env), 'api');
  return c.json(result, 200, { 'cache-control': 'no-store' });
});
