import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { requireUser } from '../middleware/auth.ts';

/** Who the bearer token says the caller is. */
export const meRoutes = new Hono<AppEnv>().use(requireUser).get('/', (c) => {
  const p = c.var.principal;
  return c.json({ principal_id: p.id, name: p.name, kind: p.kind, issuer: p.issuer });
});
