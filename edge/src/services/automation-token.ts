/**
 * The session automation access token as an API credential (`x-bpane-automation-access-token`):
 * an automation ticket this edge signed for one session. Accepted, until it expires, on the routes
 * declared `bearer_or_automation_token`, for that session only; the principal is the ticket's.
 */
import { jwtVerify } from 'jose';
import { type Config, edgeOrigin, TICKET_AUDIENCE } from '../config.ts';
import type { Env } from '../env.ts';
import { AppError } from '../errors.ts';
import type { Principal } from './oidc/principal.ts';
import { loadSigningKey } from './signing-keys.ts';

const CLOCK_TOLERANCE_S = 5;

function rejected(): AppError {
  return new AppError(
    'invalid_token',
    'the automation access token is invalid or expired, or was minted for another session',
  );
}

export async function verifyAutomationToken(
  token: string,
  sessionId: string,
  env: Env,
  cfg: Config,
  requestUrl: string,
): Promise<Principal> {
  if (token.length > 8192 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token))
    throw rejected();
  const key = await loadSigningKey(env.TICKET_SIGNING_KEY, 'TICKET_SIGNING_KEY');
  const issuer = edgeOrigin(cfg, requestUrl);
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(token, key.publicKey, {
      issuer,
      audience: TICKET_AUDIENCE,
      algorithms: ['EdDSA'],
      clockTolerance: CLOCK_TOLERANCE_S,
    }));
  } catch {
    throw rejected();
  }
  if (claims.role !== 'automation' || claims.sid !== sessionId || typeof claims.sub !== 'string')
    throw rejected();
  return {
    id: claims.sub,
    name: typeof claims.name === 'string' ? claims.name : claims.sub,
    kind: 'service',
    issuer,
  };
}
