import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../local/ports.ts';
import { type Stack, startStack } from './support/stack.ts';

/**
 * A real external identity provider (a small Node server with discovery and a JWKS that rotates)
 * in front of the edge, with the built-in dev issuer off: what production looks like.
 */
describe('bearer tokens from an external OIDC issuer', () => {
  let idp: Server;
  let issuer: string;
  let stack: Stack;
  const keys: { kid: string; privateKey: CryptoKey; jwk: JWK }[] = [];
  let jwksFetches = 0;

  async function addKey(kid: string, alg: 'ES256' | 'RS256' = 'ES256') {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    keys.push({
      kid,
      privateKey: privateKey as CryptoKey,
      jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    });
  }

  function sign(
    kid: string,
    claims: Record<string, unknown> = {},
    opts: { aud?: string; exp?: string | number; iss?: string } = {},
  ) {
    const key = keys.find((k) => k.kid === kid);
    if (!key) throw new Error(kid);
    return new SignJWT({ name: 'Ada', preferred_username: 'ada', ...claims })
      .setProtectedHeader({ alg: key.jwk.alg as string, kid })
      .setIssuer(opts.iss ?? issuer)
      .setAudience(opts.aud ?? 'browserpane-api')
      .setSubject('user-ada')
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(key.privateKey);
  }

  beforeAll(async () => {
    await addKey('k1');
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/realms/test`;
    idp = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/realms/test/.well-known/openid-configuration') {
        res.end(
          JSON.stringify({
            issuer,
            jwks_uri: `${issuer}/certs`,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
          }),
        );
      } else if (req.url === '/realms/test/certs') {
        jwksFetches++;
        res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => idp.listen(port, '127.0.0.1', resolve));
    expect((idp.address() as AddressInfo).port).toBe(port);
    stack = await startStack('pglite', {
      vars: { OIDC_ISSUER: issuer, OIDC_CONSOLE_CLIENT_ID: 'console-prod' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => idp?.close(r));
  });

  it('accepts a valid token and caches the verification', async () => {
    const token = await sign('k1');
    const me = await stack.api.get('/api/v1/me', token);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ principal_id: 'user-ada', name: 'Ada', kind: 'user', issuer });
    const fetches = jwksFetches;
    for (let i = 0; i < 5; i++) expect((await stack.api.get('/api/v1/me', token)).status).toBe(200);
    expect(jwksFetches).toBe(fetches);
  });

  it.each([
    [
      'a wrong audience',
      () => sign('k1', {}, { aud: 'someone-else' }),
      `the bearer token's "aud" claim is not accepted here`,
    ],
    [
      'a wrong issuer',
      () => sign('k1', {}, { iss: 'https://evil.test' }),
      `the bearer token's "iss" claim is not accepted here`,
    ],
    [
      'an expired token',
      () => sign('k1', {}, { exp: Math.floor(Date.now() / 1000) - 120 }),
      'the bearer token has expired',
    ],
  ])('rejects %s', async (_name, make, message) => {
    const res = await stack.api.get('/api/v1/me', await make());
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'invalid_token', error: message });
  });

  it('rejects a tampered token and an HMAC token', async () => {
    const [h, , s] = (await sign('k1')).split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: 'admin', iss: issuer, aud: 'browserpane-api', exp: 4_102_444_800 }),
    ).toString('base64url');
    expect((await stack.api.get('/api/v1/me', `${h}.${forged}.${s}`)).body.code).toBe(
      'invalid_token',
    );
    const hmac = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience('browserpane-api')
      .setSubject('admin')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect((await stack.api.get('/api/v1/me', hmac)).body.code).toBe('invalid_token');
  });

  it('picks up a rotated key (refetch on unknown kid), rate-limited', async () => {
    await addKey('k2', 'RS256');
    const before = jwksFetches;
    const rotated = await sign('k2');
    expect((await stack.api.get('/api/v1/me', rotated)).status).toBe(200);
    expect(jwksFetches).toBe(before + 1);
    // Tokens naming kids the IdP never had: at most one more fetch within the cooldown.
    await addKey('k3');
    keys.pop();
    for (let i = 0; i < 5; i++) {
      const res = await stack.api.get(
        '/api/v1/me',
        (await sign('k2')).replace(
          /^[^.]+/,
          Buffer.from(JSON.stringify({ alg: 'RS256', kid: `ghost-${i}` })).toString('base64url'),
        ),
      );
      expect(res.status).toBe(401);
    }
    expect(jwksFetches).toBeLessThanOrEqual(before + 1);
  });

  it('serves the auth config from discovery and hides the dev issuer', async () => {
    const config = await stack.api.get('/auth-config.json');
    expect(config.body).toEqual({
      issuer,
      client_id: 'console-prod',
      audience: 'browserpane-api',
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
    });
    expect((await stack.api.get('/dev-oidc/.well-known/openid-configuration')).status).toBe(404);
    expect(
      (
        await stack.api.request('POST', '/dev-oidc/token', {
          raw: 'grant_type=client_credentials',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).status,
    ).toBe(404);
  });
});
