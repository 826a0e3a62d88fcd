import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { config, edgeOrigin, TICKET_AUDIENCE } from '../config.ts';
import { hosts } from '../db/schema/index.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { jsonBody, queryParams, uuidParam } from '../http/request.ts';
import { bearerToken } from '../middleware/auth.ts';
import { secretsEqual } from '../services/crypto.ts';
import { authenticateHost, enrollHost, heartbeat, hostResource } from '../services/hosts.ts';
import { markLostHosts } from '../services/scheduler.ts';
import { enrollBody, HEARTBEAT_BODY_LIMIT, heartbeatBody } from './schemas.ts';

/** Requires `Authorization: Bearer <expected>` (a configured shared secret: enrolment, operator). */
export async function requireSecret(
  header: string | undefined,
  expected: string | undefined,
  what: string,
): Promise<void> {
  const token = bearerToken(header);
  if (!expected) throw new AppError('unauthorized', `${what} is not configured on this edge`);
  if (!token || !(await secretsEqual(token, expected))) {
    throw new AppError('unauthorized', `this route needs "Authorization: Bearer <${what}>"`, {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
}

/**
 * The host contract: hosts enrol with a shared enrolment token, then heartbeat with their own
 * credential and get their desired state back. Operators list hosts with the operator token.
 */
export const hostRoutes = new Hono<AppEnv>()
  .post('/enroll', async (c) => {
    await requireSecret(
      c.req.header('authorization'),
      c.env.HOST_ENROLLMENT_TOKEN,
      'host enrollment token',
    );
    const body = await jsonBody(c, enrollBody);
    const cfg = config(c.env);
    const { hostId, credential } = await enrollHost(c.var.db(), body, new Date(), cfg);
    const origin = edgeOrigin(cfg, c.req.url);
    return c.json(
      {
        host_id: hostId,
        host_credential: credential,
        heartbeat_interval_ms: cfg.heartbeatIntervalMs,
        lost_after_ms: cfg.hostLostAfterMs,
        jwks_url: `${origin}/.well-known/jwks.json`,
        ticket_issuer: origin,
        ticket_audience: TICKET_AUDIENCE,
      },
      201,
      { 'cache-control': 'no-store' },
    );
  })
  .post('/:host_id/heartbeat', async (c) => {
    const hostId = uuidParam(c, 'host_id');
    const db = c.var.db();
    const host = await authenticateHost(db, hostId, bearerToken(c.req.header('authorization')));
    const body = await jsonBody(c, heartbeatBody, { limit: HEARTBEAT_BODY_LIMIT });
    return c.json(await heartbeat(db, host, body, new Date(), config(c.env)));
  })
  .get('/', async (c) => {
    await requireSecret(c.req.header('authorization'), c.env.OPERATOR_TOKEN, 'operator token');
    queryParams(c, []);
    const db = c.var.db();
    const now = new Date();
    const cfg = config(c.env);
    await markLostHosts(db, now, cfg);
    const rows = await db
      .select({
        host: hosts,
        assigned: sql<number>`(select count(*)::int from "sessions" s where s."host_id" = "hosts"."id")`,
      })
      .from(hosts)
      .orderBy(hosts.name);
    return c.json({ hosts: rows.map((r) => hostResource(r.host, r.assigned, now, cfg)) });
  });
