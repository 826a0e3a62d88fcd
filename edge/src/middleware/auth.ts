import { createMiddleware } from 'hono/factory';
import { config } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { verifyBearer } from '../services/oidc/verifier.ts';

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]{1,8192})\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Requires an OIDC bearer token from the configured issuer; sets `c.var.principal`. */
export const requireUser = createMiddleware<AppEnv>(async function requireUser(c, next) {
  const token = bearerToken(c.req.header('authorization'));
  if (!token) {
    throw new AppError(
      'unauthorized',
      'this route needs an "Authorization: Bearer <access token>" header',
      {
        headers: { 'www-authenticate': 'Bearer' },
      },
    );
  }
  c.set('principal', await verifyBearer(token, config(c.env), c.env, c.req.url));
  await next();
});
