import { routes } from '@browserpane/api/contract';
import { sql } from 'drizzle-orm';
import type { Context, Hono } from 'hono';
import { config, edgeOrigin, TICKET_AUDIENCE } from '../config.ts';
import { hosts } from '../db/schema/index.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { implement } from '../http/route.ts';
import { bearerToken } from '../middleware/auth.ts';
import { artifactStore } from '../services/artifacts/index.ts';
import { secretsEqual } from '../services/crypto.ts';
import { authenticateHost, enrollHost, heartbeat, hostResource } from '../services/hosts.ts';
import { runSweep } from '../services/jobs.ts';

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
 * Like `requireSecret`, for a route any of several secrets opens (unset ones are skipped): the
 * metrics route takes the metrics token or the operator token.
 */
export async function requireOneSecret(
  header: string | undefined,
  expected: ReadonlyArray<string | undefined>,
  what: string,
): Promise<void> {
  const token = bearerToken(header);
  const set = expected.filter((e): e is string => Boolean(e));
  if (set.length === 0)
    throw new AppError('unauthorized', `${what} is not configured on this edge`);
  for (const e of set) if (token && (await secretsEqual(token, e))) return;
  throw new AppError('unauthorized', `this route needs "Authorization: Bearer <${what}>"`, {
    headers: { 'www-authenticate': 'Bearer' },
  });
}

/**
 * The host contract: hosts enrol with a shared enrolment token, then heartbeat with their own
 * credential and get their desired state back. Operators list hosts and run the sweep with the
 * operator token.
 */
export function hostRoutes(app: Hono<AppEnv>): void {
  implement(
    app,
    routes.enrollHost,
    async (c, { body }) => {
      const cfg = config(c.env);
      const { hostId, credential } = await enrollHost(c.var.db(), body, new Date(), cfg);
      const origin = edgeOrigin(cfg, c.req.url);
      return {
        status: 201,
        headers: { 'cache-control': 'no-store' },
        body: {
          host_id: hostId,
          host_credential: credential,
          heartbeat_interval_ms: cfg.heartbeatIntervalMs,
          lost_after_ms: cfg.hostLostAfterMs,
          jwks_url: `${origin}/.well-known/jwks.json`,
          ticket_issuer: origin,
          ticket_audience: TICKET_AUDIENCE,
        } as const,
      };
    },
    (c) =>
      requireSecret(
        c.req.header('authorization'),
        c.env.HOST_ENROLLMENT_TOKEN,
        'host enrollment token',
      ),
  );

  implement(
    app,
    routes.hostHeartbeat,
    async (c, { body }) => {
      const cfg = config(c.env);
      const signer = { env: c.env, issuer: edgeOrigin(cfg, c.req.url) };
      return {
        status: 200,
        body: await heartbeat(c.var.db(), c.var.host, body, new Date(), cfg, signer),
      };
    },
    async (c, params) => {
      const token = bearerToken(c.req.header('authorization'));
      c.set('host', await authenticateHost(c.var.db(), params.host_id, token));
    },
  );

  const operator = (c: Context<AppEnv>) =>
    requireSecret(c.req.header('authorization'), c.env.OPERATOR_TOKEN, 'operator token');

  implement(
    app,
    routes.listHosts,
    async (c) => {
      const now = new Date();
      const cfg = config(c.env);
      const rows = await c.var
        .db()
        .select({
          host: hosts,
          assigned: sql<number>`(select count(*)::int from "sessions" s where s."host_id" = "hosts"."id")`,
        })
        .from(hosts)
        .orderBy(hosts.name);
      return {
        status: 200,
        body: { hosts: rows.map((r) => hostResource(r.host, r.assigned, now, cfg)) },
      };
    },
    operator,
  );

  implement(
    app,
    routes.runSweep,
    async (c) => ({
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: await runSweep(c.var.db(), new Date(), config(c.env), artifactStore(c.env), 'api'),
    }),
    operator,
  );
}
