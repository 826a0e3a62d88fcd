import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface FakeSession {
  id: string;
  owner: string;
  automationOwner: string | null;
  mcpOwner: string | null;
  /** People connected (owner + viewer clients) as the status reports them. */
  watchers: number;
}

export interface FakeCall {
  method: string;
  path: string;
  body: unknown;
}

/**
 * The edge as the bridge sees it: dev-OIDC-like token endpoint and JWKS, `/api/v1/me`, session
 * resources, status, `mcp-owner` and automation tickets whose `cdp_url` points at a real
 * Chromium's DevTools endpoint (standing in for the host's CDP gateway).
 */
export async function startFakeEdge(options: { cdpWsUrl: string; clientSecret: string }) {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'person-key', alg: 'EdDSA' };
  const sessions = new Map<string, FakeSession>();
  const calls: FakeCall[] = [];
  let tickets = 0;
  let url = '';

  const visible = (s: FakeSession | undefined, who: string) =>
    s && (s.owner === who || s.automationOwner === who || s.mcpOwner === who) ? s : undefined;
  const ref = (id: string | null) => (id ? { principal_id: id, display_name: id } : null);
  const resource = (s: FakeSession) => ({
    id: s.id,
    state: 'active',
    owner: ref(s.owner),
    viewport: { width: 1280, height: 720 },
    automation_owner: ref(s.automationOwner),
    mcp_owner: ref(s.mcpOwner),
  });

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://edge').pathname;
    const body = await readBody(req);
    calls.push({ method: req.method ?? '', path, body });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (path === '/auth-config.json')
      return json(200, { issuer: `${url}/oidc`, audience: 'api', token_endpoint: `${url}/token` });
    if (path === '/oidc/.well-known/openid-configuration')
      return json(200, { issuer: `${url}/oidc`, jwks_uri: `${url}/oidc/jwks` });
    if (path === '/oidc/jwks') return json(200, { keys: [jwk] });
    if (path === '/token') {
      const basic = Buffer.from(
        (req.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      if (basic !== `mcp-bridge:${options.clientSecret}`)
        return json(401, { error: 'invalid_client' });
      return json(200, { access_token: 'bridge-token', token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.headers.authorization !== 'Bearer bridge-token')
      return json(401, { error: 'no', code: 'invalid_token', request_id: 'req_fake' });
    if (path === '/api/v1/me') return json(200, { principal_id: 'mcp-bridge', kind: 'service' });
    const m = /^\/api\/v1\/sessions\/([^/]+)(\/[a-z-]+)?$/.exec(path);
    const s = visible(sessions.get(m?.[1] ?? ''), 'mcp-bridge');
    if (!m || !s)
      return json(404, { error: 'no', code: 'session_not_found', request_id: 'req_fake' });
    const action = m[2] ?? '';
    if (action === '' && req.method === 'GET') return json(200, resource(s));
    if (action === '/status') {
      return json(200, {
        session_id: s.id,
        state: 'active',
        runtime_state: 'running',
        connection_counts: {
          owner: s.watchers,
          viewer: 0,
          automation: 0,
          recorder: 0,
          total: s.watchers,
        },
        automation_owner: ref(s.automationOwner),
        mcp_owner: s.mcpOwner !== null,
        mcp_owner_principal: ref(s.mcpOwner),
      });
    }
    if (action === '/mcp-owner' && req.method === 'POST') {
      if (s.mcpOwner !== 'mcp-bridge' && s.automationOwner !== 'mcp-bridge')
        return json(403, {
          error: 'no',
          code: 'automation_owner_required',
          request_id: 'req_fake',
        });
      s.mcpOwner = 'mcp-bridge';
      return json(200, resource(s));
    }
    if (action === '/mcp-owner' && req.method === 'DELETE') {
      s.mcpOwner = null;
      return json(200, resource(s));
    }
    if (action === '/access-tokens' && req.method === 'POST') {
      if (s.mcpOwner !== 'mcp-bridge' && s.automationOwner !== 'mcp-bridge')
        return json(403, {
          error: 'no',
          code: 'automation_owner_required',
          request_id: 'req_fake',
        });
      const token = `ticket-${++tickets}`;
      return json(200, {
        token,
        expires_at: new Date(Date.now() + 60_000).toISOString(),
        relay_url: 'http://relay',
        cdp_url: `${options.cdpWsUrl}?ticket=${token}`,
      });
    }
    return json(404, { error: 'no', code: 'route_not_found', request_id: 'req_fake' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    sessions,
    calls,
    get tickets() {
      return tickets;
    },
    /** A person's access token from the issuer the edge trusts. */
    personToken(sub: string): Promise<string> {
      return new SignJWT({ name: sub })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'person-key' })
        .setIssuer(`${url}/oidc`)
        .setAudience('api')
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
