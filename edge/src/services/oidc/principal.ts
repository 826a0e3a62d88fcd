import type { JWTPayload } from 'jose';

/** Who is calling: a person (user) or an automation component (service principal). */
export interface Principal {
  /** The token's `sub`: stable, unique within the configured issuer. */
  id: string;
  name: string;
  kind: 'user' | 'service';
  issuer: string;
  /** Service principals: the OAuth client id of their client-credentials token. */
  clientId?: string | null;
  /**
   * The token's `email` claim, lower-cased, unless the token says it is unverified
   * (`email_verified: false`); shares addressed to an e-mail match it.
   */
  email?: string | null;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function principalFromClaims(claims: JWTPayload): Principal | null {
  const sub = str(claims.sub);
  if (!sub || sub.length > 255) return null;
  const clientId = str(claims.client_id) ?? str(claims.azp);
  const username = str(claims.preferred_username);
  const email = str(claims.email)?.slice(0, 320);
  const service =
    claims.gty === 'client-credentials' ||
    claims.grant_type === 'client_credentials' ||
    (clientId !== undefined && clientId === sub) ||
    (username?.startsWith('service-account-') ?? false);
  const name = (str(claims.name) ?? username ?? str(claims.email) ?? clientId ?? sub).slice(0, 200);
  return {
    id: sub,
    name,
    kind: service ? 'service' : 'user',
    issuer: String(claims.iss ?? ''),
    clientId: service ? (clientId ?? sub) : null,
    email: !service && email && claims.email_verified !== false ? email.toLowerCase() : null,
  };
}
