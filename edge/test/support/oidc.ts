import { createHash, randomBytes } from 'node:crypto';

/** Signs in to the development issuer the way the console does: Authorization Code + PKCE (S256). */
export async function loginDevUser(
  edgeUrl: string,
  username: string,
  password: string,
): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = `${edgeUrl}/console/callback`;
  const params = {
    response_type: 'code',
    client_id: 'browserpane-console',
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
    scope: 'openid profile',
  };
  const page = await fetch(`${edgeUrl}/dev-oidc/authorize?${new URLSearchParams(params)}`);
  if (page.status !== 200) throw new Error(`authorize page answered ${page.status}`);
  const form = await fetch(`${edgeUrl}/dev-oidc/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params, username, password }),
    redirect: 'manual',
  });
  if (form.status !== 302) throw new Error(`sign-in answered ${form.status}`);
  const location = new URL(form.headers.get('location') ?? '');
  if (location.searchParams.get('state') !== params.state) throw new Error('state mismatch');
  const token = await fetch(`${edgeUrl}/dev-oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: location.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      client_id: 'browserpane-console',
      code_verifier: verifier,
    }),
  });
  const body = (await token.json()) as { access_token?: string; error_description?: string };
  if (!body.access_token) throw new Error(`token exchange failed: ${body.error_description}`);
  return body.access_token;
}

/** A service principal's token (client-credentials grant). */
export async function serviceToken(
  edgeUrl: string,
  clientId: string,
  secret: string,
): Promise<string> {
  const res = await fetch(`${edgeUrl}/dev-oidc/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`client credentials failed (${res.status})`);
  return body.access_token;
}
