import type { Context } from 'hono';
import { config } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { verifyBearer } from '../services/oidc/verifier.ts';

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]{1,8192})\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Checks the OIDC bearer token of the request and sets `c.var.principal` (401 without one). */
export async function authenticateUser(c: Context<AppEnv>): Promise<void> {
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
}
