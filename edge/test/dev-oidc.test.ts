import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginDevUser } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('the development OIDC issuer', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite');
  });
  afterAll(() => stack?.stop());

  async function authorize(password = 'demo-demo') {
    const verifier = randomBytes(32).toString('base64url');
    const params = {
      response_type: 'code',
      client_id: 'browserpane-console',
      redirect_uri: `${stack.edge.url}/console/callback`,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 'st4te',
      nonce: 'n0nce',
    };
    const res = await stack.api.request('POST', '/dev-oidc/authorize', {
      raw: new URLSearchParams({ ...params, username: 'demo', password }).toString(),
      headers: FORM,
    });
    return { res, verifier, params };
  }

  function exchange(
    code: string,
    verifier: string,
    redirectUri = `${stack.edge.url}/console/callback`,
  ) {
    return stack.api.request('POST', '/dev-oidc/token', {
      raw: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: 'browserpane-console',
        code_verifier: verifier,
      }).toString(),
      headers: FORM,
    });
  }

  it('runs Authorization Code + PKCE and issues tokens the API accepts', async () => {
    const { res, verifier } = await authorize();
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') as string);
    expect(location.origin + location.pathname).toBe(`${stack.edge.url}/console/callback`);
    expect(location.searchParams.get('state')).toBe('st4te');
    expect(location.searchParams.get('iss')).toBe(`${stack.edge.url}/dev-oidc`);
    const tokens = await exchange(location.searchParams.get('code') as string, verifier);
    expect(tokens.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${stack.edge.url}/dev-oidc/jwks.json`));
    const { payload } = await jwtVerify(tokens.body.id_token, jwks, {
      issuer: `${stack.edge.url}/dev-oidc`,
      audience: 'browserpane-console',
    });
    expect(payload).toMatchObject({ sub: 'demo', nonce: 'n0nce', preferred_username: 'demo' });
    expect((await stack.api.get('/api/v1/me', tokens.body.access_token)).body.principal_id).toBe(
      'demo',
    );
    // A code is good once.
    const replay = await exchange(location.searchParams.get('code') as string, verifier);
    expect(replay.body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'the authorization code was already used',
    });
  });

  it('refuses a wrong password, a wrong verifier and a different redirect URI', async () => {
    const wrong = await authorize('not-it');
    expect(wrong.res.status).toBe(401);
    expect(wrong.res.text).toContain('Wrong username or password');
    expect(wrong.res.text).not.toContain('not-it');

    const { res, verifier } = await authorize();
    const code = new URL(res.headers.get('location') as string).searchParams.get('code') as string;
    expect((await exchange(code, `${verifier}x`)).body.error).toBe('invalid_grant');
    expect((await exchange(code, verifier, `${stack.edge.url}/elsewhere`)).body.error).toBe(
      'invalid_grant',
    );
    // Failed attempts do not burn the code.
    expect((await exchange(code, verifier)).status).toBe(200);
  });

  it('has two accounts that are different owners', async () => {
    const a = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    const b = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
    expect((await stack.api.get('/api/v1/me', a)).body.principal_id).toBe('demo');
    expect((await stack.api.get('/api/v1/me', b)).body).toMatchObject({
      principal_id: 'demo2',
      name: 'Demo User 2',
    });
  });

  it('gives service principals tokens by client credentials (basic or form)', async () => {
    const secret = stack.edge.secrets.serviceClients['mcp-bridge'] as string;
    const form = await stack.api.request('POST', '/dev-oidc/token', {
      raw: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'mcp-bridge',
        client_secret: secret,
      }).toString(),
      headers: FORM,
    });
    expect(form.status).toBe(200);
    expect((await stack.api.get('/api/v1/me', form.body.access_token)).body).toMatchObject({
      principal_id: 'mcp-bridge',
      kind: 'service',
    });
    const wrong = await stack.api.request('POST', '/dev-oidc/token', {
      raw: 'grant_type=client_credentials',
      headers: {
        ...FORM,
        authorization: `Basic ${Buffer.from('mcp-bridge:nope').toString('base64')}`,
      },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
  });
});
