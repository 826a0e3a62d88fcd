import { decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { apiIssuer, type Config } from '../../config.ts';
import type { Env } from '../../env.ts';
import { AppError } from '../../errors.ts';
import { loadSigningKey } from '../signing-keys.ts';
import { JwksCache } from './jwks-cache.ts';
import { type Principal, principalFromClaims } from './principal.ts';

/** Asymmetric algorithms only: an HMAC token would let anyone holding the "key" mint identities. */
const ALGORITHMS = [
  'EdDSA',
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
];
const CLOCK_TOLERANCE_S = 30;
const TOKEN_CACHE_MAX = 5_000;
const TOKEN_CACHE_TTL_MS = 5 * 60_000;

/** Verified tokens of this isolate: token → principal, until the token (or the entry) expires. */
const verified = new Map<string, { principal: Principal; until: number; issuer: string }>();
const jwksCaches = new Map<string, JwksCache>();
const discovered = new Map<
  string,
  { jwksUri: string; authorizationEndpoint?: string; tokenEndpoint?: string }
>();

export interface DiscoveryDocument {
  jwksUri: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

/** The issuer's OpenID discovery document (cached per isolate). */
export async function discover(issuer: string): Promise<DiscoveryDocument> {
  const hit = discovered.get(issuer);
  if (hit) return hit;
  let doc: Record<string, unknown>;
  try {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`, {
      headers: { accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    doc = (await res.json()) as Record<string, unknown>;
  } catch (cause) {
    throw new AppError(
      'invalid_token',
      'the identity provider could not be reached; try again later',
      { cause },
    );
  }
  if (typeof doc.jwks_uri !== 'string') {
    throw new AppError('config_invalid', 'the OIDC discovery document has no jwks_uri');
  }
  const out: DiscoveryDocument = {
    jwksUri: doc.jwks_uri,
    authorizationEndpoint:
      typeof doc.authorization_endpoint === 'string' ? doc.authorization_endpoint : undefined,
    tokenEndpoint: typeof doc.token_endpoint === 'string' ? doc.token_endpoint : undefined,
  };
  discovered.set(issuer, out);
  return out;
}

async function keyResolver(cfg: Config, env: Env, issuer: string, kid: string | undefined) {
  if (!cfg.oidcIssuer && cfg.devOidc) {
    return (await loadSigningKey(env.DEV_OIDC_SIGNING_KEY, 'DEV_OIDC_SIGNING_KEY')).publicKey;
  }
  const jwksUrl = cfg.oidcJwksUrl ?? (await discover(issuer)).jwksUri;
  let cache = jwksCaches.get(jwksUrl);
  if (!cache) {
    cache = new JwksCache(jwksUrl);
    jwksCaches.set(jwksUrl, cache);
  }
  return cache.keysFor(kid);
}

function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the bearer token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `the bearer token's "${error.claim}" claim is not accepted here`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'the bearer token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'the bearer token was signed by an unknown key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the bearer token algorithm is not allowed';
  return 'the bearer token is malformed';
}

/** Verifies a user or service bearer token against the configured issuer. */
export async function verifyBearer(
  token: string,
  cfg: Config,
  env: Env,
  requestUrl: string,
): Promise<Principal> {
  const issuer = apiIssuer(cfg, requestUrl);
  const now = Date.now();
  const hit = verified.get(token);
  if (hit && hit.until > now && hit.issuer === issuer) return hit.principal;

  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new AppError('invalid_token', 'the bearer token is not a JWT');
  }
  let principal: Principal | null;
  let exp: number | undefined;
  try {
    const key = await keyResolver(cfg, env, issuer, kid);
    const { payload } = await jwtVerify(token, key as JWTVerifyGetKey, {
      issuer,
      audience: cfg.oidcAudience,
      algorithms: ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['exp', 'sub'],
    });
    principal = principalFromClaims(payload);
    exp = payload.exp;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('invalid_token', reason(error), { cause: error });
  }
  if (!principal) throw new AppError('invalid_token', 'the bearer token has no usable "sub" claim');

  if (verified.size >= TOKEN_CACHE_MAX) {
    const oldest = verified.keys().next().value;
    if (oldest !== undefined) verified.delete(oldest);
  }
  const until = Math.min(now + TOKEN_CACHE_TTL_MS, (exp ?? 0) * 1000);
  verified.set(token, { principal, until, issuer });
  return principal;
}
