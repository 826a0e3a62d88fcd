/**
 * Malformed requests to the development OIDC issuer (`/dev-oidc/*`), in the bad-input table's
 * shape: broken `Basic` credentials, prototype-named clients and fields, oversized and mistyped
 * forms. `edge` is the edge's URL (for redirect URIs).
 */
export function devOidcCases(edge: string) {
  const FORM = 'application/x-www-form-urlencoded';
  const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
  const basic = (name: string, value: string) => ({
    name: `token endpoint: Basic ${name}`,
    method: 'POST',
    path: '/dev-oidc/token',
    raw: 'grant_type=client_credentials',
    contentType: FORM,
    headers: { authorization: value },
    status: 401,
  });
  const authorizeForm = new URLSearchParams({
    response_type: 'code',
    client_id: 'browserpane-console',
    redirect_uri: `${edge}/cb`,
    code_challenge: 'a'.repeat(43),
    code_challenge_method: 'S256',
    username: 'demo',
    password: 'demo-demo',
  }).toString();
  return [
    basic('with bad base64', 'Basic !!!!'),
    basic('with base64 of the wrong length', 'Basic abc'),
    basic('without a colon', `Basic ${b64('mcp-bridge')}`),
    basic('with an empty id', `Basic ${b64(':secret')}`),
    basic('with bad percent-encoding', `Basic ${b64('%zz:%')}`),
    basic('with nothing after it', 'Basic'),
    basic('for __proto__', `Basic ${b64('__proto__:x')}`),
    basic('for constructor', `Basic ${b64('constructor:x')}`),
    basic('with binary garbage', `Basic ${b64('\u00ff\u00fe:\u0000')}`),
    {
      name: 'token endpoint: client_secret_post for a prototype name',
      method: 'POST',
      path: '/dev-oidc/token',
      raw: 'grant_type=client_credentials&client_id=toString&client_secret=x',
      contentType: FORM,
      status: 401,
    },
    {
      name: 'token endpoint: __proto__ fields',
      method: 'POST',
      path: '/dev-oidc/token',
      raw: '__proto__=x&constructor=y&grant_type=authorization_code',
      contentType: FORM,
      status: 400,
    },
    {
      name: 'token endpoint: form over the limit',
      method: 'POST',
      path: '/dev-oidc/token',
      raw: `grant_type=client_credentials&pad=${'x'.repeat(20 * 1024)}`,
      contentType: FORM,
      status: 413,
    },
    {
      name: 'token endpoint: 2 MiB form',
      method: 'POST',
      path: '/dev-oidc/token',
      raw: 'x'.repeat(2 * 1024 * 1024),
      contentType: FORM,
      status: 413,
    },
    {
      name: 'token endpoint: no content type',
      method: 'POST',
      path: '/dev-oidc/token',
      raw: 'grant_type=client_credentials',
      status: 400,
    },
    {
      name: 'token endpoint: multipart',
      method: 'POST',
      path: '/dev-oidc/token',
      raw: '--b\r\ncontent-disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--b--',
      contentType: 'multipart/form-data; boundary=b',
      status: 400,
    },
    {
      name: 'token endpoint: GET',
      method: 'GET',
      path: '/dev-oidc/token',
      status: 405,
    },
    {
      name: 'sign-in form over the limit',
      method: 'POST',
      path: '/dev-oidc/authorize',
      raw: `${authorizeForm}&pad=${'x'.repeat(20 * 1024)}`,
      contentType: FORM,
      status: 413,
    },
    {
      name: 'sign-in form of 2 MiB',
      method: 'POST',
      path: '/dev-oidc/authorize',
      raw: 'x'.repeat(2 * 1024 * 1024),
      contentType: FORM,
      status: 413,
    },
    {
      name: 'sign-in with __proto__ parameters',
      method: 'GET',
      path: '/dev-oidc/authorize?__proto__=x&constructor=y&response_type=code',
      status: 400,
    },
    {
      name: 'discovery with a method it does not have',
      method: 'POST',
      path: '/dev-oidc/.well-known/openid-configuration',
      status: 405,
    },
    {
      name: 'dev JWKS with a method it does not have',
      method: 'DELETE',
      path: '/dev-oidc/jwks.json',
      status: 405,
    },
  ];
}
