import { type Context, Hono } from 'hono';
import { config, DEFAULT_API_AUDIENCE, devIssuer, edgeOrigin } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { readBodyBytes } from '../http/request.ts';
import { HTML_HEADERS } from '../pages/html.ts';
import { errorPage, type LoginParams, loginPage } from '../pages/login.ts';
import {
  clientCredentials,
  findUser,
  issueCode,
  OAuthError,
  redeemCode,
} from '../services/dev-oidc.ts';
import { basicCredentials, parseForm } from '../services/dev-oidc-form.ts';
import { discover } from '../services/oidc/verifier.ts';
import { loadSigningKey } from '../services/signing-keys.ts';

const FORM_LIMIT = 16 * 1024;

function issuerOf(c: Context<AppEnv>): string {
  return devIssuer(config(c.env), c.req.url);
}

/** Redirect URIs must be on the edge's own origin (or a configured extra origin). */
function redirectAllowed(c: Context<AppEnv>, redirectUri: string): boolean {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return false;
  }
  const cfg = config(c.env);
  const allowed = new Set([
    edgeOrigin(cfg, c.req.url),
    new URL(c.req.url).origin,
    ...cfg.devRedirectOrigins,
  ]);
  return allowed.has(url.origin) && !url.hash;
}

function publicClients(c: Context<AppEnv>): Set<string> {
  return new Set([config(c.env).consoleClientId]);
}

async function form(c: Context<AppEnv>): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  return parseForm(await readBodyBytes(c, FORM_LIMIT));
}

function checkAuthorizeParams(
  c: Context<AppEnv>,
  p: Record<string, string | undefined>,
): LoginParams {
  const problem = (m: string) => new HttpPage(400, 'Sign-in request rejected', m);
  if (p.response_type !== 'code') throw problem('response_type must be "code".');
  if (!p.client_id || !publicClients(c).has(p.client_id)) throw problem('Unknown client_id.');
  if (!p.redirect_uri || !redirectAllowed(c, p.redirect_uri)) {
    throw problem('redirect_uri must be an absolute URL on this edge’s origin.');
  }
  if (!p.code_challenge || !/^[A-Za-z0-9_-]{43,128}$/.test(p.code_challenge)) {
    throw problem('A PKCE code_challenge (S256) is required.');
  }
  if (p.code_challenge_method !== 'S256') throw problem('code_challenge_method must be "S256".');
  return {
    response_type: 'code',
    client_id: p.client_id,
    redirect_uri: p.redirect_uri,
    code_challenge: p.code_challenge,
    code_challenge_method: 'S256',
    state: p.state?.slice(0, 512),
    scope: (p.scope ?? 'openid profile').slice(0, 256),
    nonce: p.nonce?.slice(0, 256),
  };
}

class HttpPage extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly title: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function oauthError(c: Context<AppEnv>, error: OAuthError) {
  return c.json({ error: error.error, error_description: error.description }, error.status, {
    'cache-control': 'no-store',
  });
}

/**
 * The built-in development OIDC issuer (only with DEV_OIDC=1): discovery, JWKS, a sign-in page
 * for Authorization Code + PKCE (S256), and a token endpoint that also does client credentials.
 */
export const devOidcRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (!config(c.env).devOidc) {
      throw new AppError(
        'route_not_found',
        `no route for ${c.req.method} ${new URL(c.req.url).pathname}`,
      );
    }
    await next();
  })
  .get('/.well-known/openid-configuration', (c) => {
    const issuer = issuerOf(c);
    return c.json({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks.json`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'client_credentials'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['EdDSA'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      scopes_supported: ['openid', 'profile', 'email'],
    });
  })
  .get('/jwks.json', async (c) => {
    const key = await loadSigningKey(c.env.DEV_OIDC_SIGNING_KEY, 'DEV_OIDC_SIGNING_KEY');
    return c.json({ keys: [key.publicJwk] }, 200, { 'cache-control': 'public, max-age=60' });
  })
  .get('/authorize', (c) => {
    try {
      const params = checkAuthorizeParams(c, c.req.query());
      return c.html(loginPage(`${issuerOf(c)}/authorize`, params), 200, HTML_HEADERS);
    } catch (error) {
      if (error instanceof HttpPage)
        return c.html(errorPage(error.title, error.detail), error.status, HTML_HEADERS);
      throw error;
    }
  })
  .post('/authorize', async (c) => {
    try {
      let fields: Record<string, string>;
      try {
        fields = await form(c);
      } catch (error) {
        if (error instanceof OAuthError)
          throw new HttpPage(400, 'Sign-in request rejected', error.description);
        throw error;
      }
      const params = checkAuthorizeParams(c, fields);
      const user = findUser(fields.username ?? '', fields.password ?? '');
      if (!user) {
        const html = loginPage(
          `${issuerOf(c)}/authorize`,
          params,
          'Wrong username or password.',
          fields.username ?? '',
        );
        return c.html(html, 401, HTML_HEADERS);
      }
      const code = await issueCode(c.env, issuerOf(c), user.sub, {
        clientId: params.client_id,
        redirectUri: params.redirect_uri,
        codeChallenge: params.code_challenge,
        nonce: params.nonce,
        scope: params.scope ?? 'openid',
      });
      const target = new URL(params.redirect_uri);
      target.searchParams.set('code', code);
      if (params.state !== undefined) target.searchParams.set('state', params.state);
      target.searchParams.set('iss', issuerOf(c));
      return c.redirect(target.href, 302);
    } catch (error) {
      if (error instanceof HttpPage)
        return c.html(errorPage(error.title, error.detail), error.status, HTML_HEADERS);
      throw error;
    }
  })
  .post('/token', async (c) => {
    try {
      const f = await form(c);
      const issuer = issuerOf(c);
      if (f.grant_type === 'authorization_code') {
        if (!f.code || !f.redirect_uri || !f.client_id || !f.code_verifier) {
          throw new OAuthError(
            'invalid_request',
            'code, redirect_uri, client_id and code_verifier are required',
          );
        }
        if (!publicClients(c).has(f.client_id))
          throw new OAuthError('invalid_client', 'unknown client', 401);
        const tokens = await redeemCode(c.env, c.var.db(), issuer, {
          code: f.code,
          clientId: f.client_id,
          redirectUri: f.redirect_uri,
          codeVerifier: f.code_verifier,
        });
        return c.json(tokens, 200, { 'cache-control': 'no-store' });
      }
      if (f.grant_type === 'client_credentials') {
        const basic = basicCredentials(c.req.header('authorization'));
        const id = basic ? basic.id : f.client_id;
        const secret = basic ? basic.secret : f.client_secret;
        if (!id || !secret)
          throw new OAuthError('invalid_client', 'client_id and client_secret are required', 401);
        return c.json(await clientCredentials(c.env, issuer, id, secret), 200, {
          'cache-control': 'no-store',
        });
      }
      throw new OAuthError(
        'unsupported_grant_type',
        'grant_type must be authorization_code or client_credentials',
      );
    } catch (error) {
      if (error instanceof OAuthError) return oauthError(c, error);
      throw error;
    }
  });

/** What a browser app needs to sign in (Authorization Code + PKCE with a public client). */
export async function authConfig(c: Context<AppEnv>) {
  const cfg = config(c.env);
  if (!cfg.oidcIssuer && cfg.devOidc) {
    const issuer = issuerOf(c);
    return {
      issuer,
      client_id: cfg.consoleClientId,
      audience: DEFAULT_API_AUDIENCE,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
    };
  }
  if (!cfg.oidcIssuer)
    throw new AppError('config_invalid', 'no token issuer configured: set OIDC_ISSUER');
  const doc = await discover(cfg.oidcIssuer);
  return {
    issuer: cfg.oidcIssuer,
    client_id: cfg.consoleClientId,
    audience: cfg.oidcAudience,
    authorization_endpoint: doc.authorizationEndpoint ?? null,
    token_endpoint: doc.tokenEndpoint ?? null,
  };
}
