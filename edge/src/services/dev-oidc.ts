import { type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { DEFAULT_API_AUDIENCE } from '../config.ts';
import type { Database } from '../db/client.ts';
import { devOidcUsedCodes } from '../db/schema/index.ts';
import type { Env } from '../env.ts';
import { AppError } from '../errors.ts';
import { pkceChallenge, randomToken, secretsEqual } from './crypto.ts';
import { loadSigningKey } from './signing-keys.ts';

/**
 * The built-in development OIDC issuer (DEV_OIDC=1): two fixed accounts for people, and service
 * principals from DEV_OIDC_CLIENT_SECRETS for automation (client-credentials grant). It exists so
 * the console and automation get bearer tokens locally exactly as they would from a real IdP.
 */
export const DEV_USERS = [
  {
    username: 'demo',
    password: 'demo-demo',
    sub: 'demo',
    name: 'Demo User',
    email: 'demo@example.test',
  },
  {
    username: 'demo2',
    password: 'demo2-demo2',
    sub: 'demo2',
    name: 'Demo User 2',
    email: 'demo2@example.test',
  },
] as const;

const ACCESS_TOKEN_TTL_S = 3600;
const CODE_TTL_S = 120;

/** An OAuth 2.0 error (RFC 6749 §5.2): the token endpoint answers in that standard shape. */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_grant'
      | 'unsupported_grant_type',
    readonly description: string,
    readonly status: 400 | 401 = 400,
  ) {
    super(description);
  }
}

export function findUser(username: string, password: string): (typeof DEV_USERS)[number] | null {
  return DEV_USERS.find((u) => u.username === username && u.password === password) ?? null;
}

export function serviceClients(env: Env): Record<string, string> {
  if (!env.DEV_OIDC_CLIENT_SECRETS) return {};
  try {
    const parsed = JSON.parse(env.DEV_OIDC_CLIENT_SECRETS) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object');
    return Object.fromEntries(
      Object.entries(parsed).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
  } catch {
    throw new AppError(
      'config_invalid',
      'secret DEV_OIDC_CLIENT_SECRETS must be a JSON object of client id → secret',
    );
  }
}

async function key(env: Env) {
  return loadSigningKey(env.DEV_OIDC_SIGNING_KEY, 'DEV_OIDC_SIGNING_KEY');
}

async function sign(env: Env, claims: JWTPayload, issuer: string, audience: string, ttlS: number) {
  const k = await key(env);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: k.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlS}s`)
    .setJti(randomToken(16))
    .sign(k.privateKey);
}

export interface CodeRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
  scope: string;
}

/** A stateless authorization code: a short-lived JWT the token endpoint redeems once. */
export async function issueCode(
  env: Env,
  issuer: string,
  sub: string,
  req: CodeRequest,
): Promise<string> {
  return sign(
    env,
    {
      sub,
      typ: 'authorization_code',
      client_id: req.clientId,
      redirect_uri: req.redirectUri,
      code_challenge: req.codeChallenge,
      scope: req.scope,
      ...(req.nonce ? { nonce: req.nonce } : {}),
    },
    issuer,
    `${issuer}/token`,
    CODE_TTL_S,
  );
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  id_token?: string;
}

export async function redeemCode(
  env: Env,
  db: Database,
  issuer: string,
  form: { code: string; clientId: string; redirectUri: string; codeVerifier: string },
): Promise<TokenResponse> {
  let claims: JWTPayload;
  try {
    claims = (
      await jwtVerify(form.code, (await key(env)).publicKey, {
        issuer,
        audience: `${issuer}/token`,
      })
    ).payload;
  } catch {
    throw new OAuthError('invalid_grant', 'the authorization code is invalid or expired');
  }
  if (claims.typ !== 'authorization_code')
    throw new OAuthError('invalid_grant', 'not an authorization code');
  if (claims.client_id !== form.clientId)
    throw new OAuthError('invalid_grant', 'the code was issued to another client');
  if (claims.redirect_uri !== form.redirectUri)
    throw new OAuthError('invalid_grant', 'redirect_uri does not match');
  if ((await pkceChallenge(form.codeVerifier)) !== claims.code_challenge) {
    throw new OAuthError(
      'invalid_grant',
      'code_verifier does not match the code challenge (PKCE S256)',
    );
  }
  const inserted = await db
    .insert(devOidcUsedCodes)
    .values({ jti: String(claims.jti), expiresAt: new Date((claims.exp ?? 0) * 1000) })
    .onConflictDoNothing()
    .returning({ jti: devOidcUsedCodes.jti });
  if (inserted.length === 0)
    throw new OAuthError('invalid_grant', 'the authorization code was already used');
  const user = DEV_USERS.find((u) => u.sub === claims.sub);
  if (!user) throw new OAuthError('invalid_grant', 'unknown account');
  const scope = String(claims.scope ?? 'openid');
  const profile = { name: user.name, preferred_username: user.username, email: user.email };
  const access = await sign(
    env,
    { sub: user.sub, ...profile, azp: form.clientId, scope },
    issuer,
    DEFAULT_API_AUDIENCE,
    ACCESS_TOKEN_TTL_S,
  );
  const idToken = await sign(
    env,
    { sub: user.sub, ...profile, ...(claims.nonce ? { nonce: claims.nonce } : {}) },
    issuer,
    form.clientId,
    ACCESS_TOKEN_TTL_S,
  );
  return {
    access_token: access,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL_S,
    scope,
    id_token: idToken,
  };
}

export async function clientCredentials(
  env: Env,
  issuer: string,
  clientId: string,
  clientSecret: string,
): Promise<TokenResponse> {
  const clients = serviceClients(env);
  const expected = Object.hasOwn(clients, clientId) ? clients[clientId] : undefined;
  if (!expected || !(await secretsEqual(clientSecret, expected))) {
    throw new OAuthError('invalid_client', 'unknown client or wrong client secret', 401);
  }
  const access = await sign(
    env,
    {
      sub: clientId,
      client_id: clientId,
      gty: 'client-credentials',
      name: clientId,
      scope: 'browserpane',
    },
    issuer,
    DEFAULT_API_AUDIENCE,
    ACCESS_TOKEN_TTL_S,
  );
  return {
    access_token: access,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL_S,
    scope: 'browserpane',
  };
}
