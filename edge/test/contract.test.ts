import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { documentedOperations, HTTP_METHODS, observed, SPEC_PATH } from './support/contract.ts';
import { extensionOperations } from './support/extension-contract.ts';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser, serviceToken } from './support/oidc.ts';
import { walkRecordings } from './support/recording-walk.ts';
import { type Stack, startStack } from './support/stack.ts';
import { webhookOperations } from './support/webhook-contract.ts';
import { workflowOperations } from './support/workflow-contract.ts';
import { workspaceOperations } from './support/workspace-contract.ts';

/** Hono route paths in OpenAPI form: `/:id` → `/{id}`, `/console/*` → `/console/{path}`. */
function implementedOperations(): string[] {
  const out = new Set<string>();
  for (const route of buildApp().routes) {
    const method = route.method.toLowerCase();
    if (!(HTTP_METHODS as readonly string[]).includes(method)) continue;
    const path = route.path.replace(/:([A-Za-z_]+)/g, '{$1}').replace(/\/\*$/, '/{path}');
    out.add(`${method} ${path}`);
  }
  return [...out].sort();
}

describe('OpenAPI contract', () => {
  it('documents exactly the routes the app implements', () => {
    const documented = documentedOperations()
      .map((o) => `${o.method} ${o.path}`)
      .sort();
    expect(implementedOperations()).toEqual(documented);
  });

  describe('every documented operation answers as documented', () => {
    let stack: Stack;
    const assetRequests: string[] = [];

    beforeAll(async () => {
      stack = await startStack('pglite', {
        assets: async (req) => {
          assetRequests.push(new URL(req.url).pathname);
          if (new URL(req.url).pathname === '/console/missing.js')
            return new Response('not found', { status: 404 });
          return new Response('<!doctype html><title>console</title>', {
            headers: { 'content-type': 'text/html' },
          });
        },
      });
    });
    afterAll(() => stack?.stop());

    it('walks through every operation and records a documented answer for each', async () => {
      const { api, edge } = stack;
      const demo = await loginDevUser(edge.url, 'demo', 'demo-demo');
      const bridge = await serviceToken(
        edge.url,
        'mcp-bridge',
        edge.secrets.serviceClients['mcp-bridge'] as string,
      );

      // Platform and identity.
      await api.get('/healthz');
      await api.get('/readyz');
      await api.get('/.well-known/jwks.json');
      const yaml = await api.get('/openapi.yaml');
      expect(yaml.text).toBe(readFileSync(SPEC_PATH, 'utf8'));
      const docs = await api.get('/api/docs');
      expect(docs.headers.get('content-type')).toContain('text/html');
      for (const { path } of documentedOperations())
        expect(docs.text).toContain(path.replace(/&/g, '&amp;'));
      expect((await api.get('/')).text).toContain('<title>console</title>');
      await api.get('/console');
      await api.get('/console/app.js');
      expect((await api.get('/console/missing.js')).status).toBe(404);
      // the page is asked for as /console/ whatever the path (see routes/console.ts)
      expect(assetRequests).toEqual([
        '/console/',
        '/console/',
        '/console/app.js',
        '/console/missing.js',
      ]);
      const authConfig = await api.get('/auth-config.json');
      expect(authConfig.body.client_id).toBe('browserpane-console');
      await api.get('/dev-oidc/.well-known/openid-configuration');
      await api.get('/dev-oidc/jwks.json');
      const authorize = await api.get(
        `/dev-oidc/authorize?response_type=code&client_id=browserpane-console&redirect_uri=${encodeURIComponent(`${edge.url}/cb`)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
      );
      expect(authorize.text).toContain('<form method="post"');
      const signIn = await api.request('POST', '/dev-oidc/authorize', {
        raw: new URLSearchParams({
          response_type: 'code',
          client_id: 'browserpane-console',
          redirect_uri: `${edge.url}/cb`,
          code_challenge: 'a'.repeat(43),
          code_challenge_method: 'S256',
          username: 'demo',
          password: 'demo-demo',
        }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(signIn.status).toBe(302);
      await api.request('POST', '/dev-oidc/token', {
        raw: 'grant_type=client_credentials&client_id=mcp-bridge&client_secret=wrong',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      await api.get('/api/v1/me', demo);
      expect((await api.get('/api/v1/identity/me', bridge)).body).toMatchObject({
        subject: 'mcp-bridge',
        client_id: 'mcp-bridge',
        principal_type: 'service_principal',
      });

      // Hosts.
      const host = new HostDriver(api, 'contract-host', {
        maxSessions: 2,
        coordinates: { lat: 48.1, lon: 11.6 },
      });
      await host.enroll(edge.secrets.hostEnrollmentToken);
      await api.get('/api/v1/hosts', edge.secrets.operatorToken);
      await api.get('/metrics', edge.secrets.operatorToken);
      await api.get('/metrics');
      await api.post('/api/v1/maintenance/sweep', edge.secrets.operatorToken);

      // Sessions.
      const created = await api.post('/api/v1/sessions', demo, {
        owner_mode: 'exclusive_browser_owner',
        region: 'local',
      });
      const id = created.body.id as string;
      host.run(id);
      host.connect({
        connection_id: 'c1',
        session_id: id,
        role: 'owner',
        principal: 'demo',
        display_name: 'Demo User',
      });
      host.connect({
        connection_id: 'c2',
        session_id: id,
        role: 'viewer',
        principal: 'demo',
        display_name: 'Demo User',
      });
      await host.beat();
      await api.get('/api/v1/sessions?limit=5&label.x=y', demo);
      await api.get(`/api/v1/sessions/${id}`, demo);
      await api.patch(`/api/v1/sessions/${id}`, demo, { display_name: 'Contract walk' });
      const status = await api.get(`/api/v1/sessions/${id}/status`, demo);
      const c1 = status.body.connections.find(
        (c: { host_connection_id: string }) => c.host_connection_id === 'c1',
      );
      const ticket = await api.post(`/api/v1/sessions/${id}/access-tokens`, demo, {
        role: 'owner',
      });
      expect(ticket.body.capabilities.length).toBeGreaterThan(0);
      await api.post(`/api/v1/sessions/${id}/automation-access`, demo);
      const refused = await api.post(`/api/v1/sessions/${id}/stop`, demo);
      expect(refused.status).toBe(409);
      expect(refused.body.session.id).toBe(id);
      expect((await api.post(`/api/v1/sessions/${id}/release`, demo)).status).toBe(409);
      await api.post(`/api/v1/sessions/${id}/connections/${c1.connection_id}/disconnect`, demo);
      await api.post(`/api/v1/sessions/${id}/connections/disconnect-all`, demo);
      await api.post(`/api/v1/sessions/${id}/automation-owner`, demo, { client_id: 'mcp-bridge' });
      await api.post(`/api/v1/sessions/${id}/mcp-owner`, bridge, { width: 1280, height: 720 });
      await api.delete(`/api/v1/sessions/${id}/mcp-owner`, bridge);
      await api.delete(`/api/v1/sessions/${id}/automation-owner`, bridge);
      // Sharing: a link, redeemed by demo2 (who then sees the session), then revoked.
      const demo2 = await loginDevUser(edge.url, 'demo2', 'demo2-demo2');
      const link = await api.post(`/api/v1/sessions/${id}/shares`, demo, {
        role: 'viewer',
        link: true,
        expires_in_sec: 600,
      });
      await api.post('/api/v1/share-links/redeem', demo2, { token: link.body.link_token });
      await api.get(`/api/v1/sessions?q=${id.slice(-6)}`, demo2);
      await api.get(`/api/v1/sessions/${id}/shares`, demo);
      await api.delete(`/api/v1/sessions/${id}/shares/${link.body.id}`, demo);
      // Portable profiles: the host gets the key and an upload target, stores an archive through
      // the edge, reads it back; a presigned commit of bytes the store lacks is a 404.
      const profile = `/api/v1/hosts/${host.id}/sessions/${id}/profile`;
      const target = (await api.request('GET', profile, { token: host.credential })).body;
      const archive = 'profile archive';
      await api.request('PUT', `${profile}/revisions/${target.upload.revision}`, {
        token: host.credential,
        raw: archive,
        headers: {
          'content-type': 'application/octet-stream',
          'x-content-sha256': createHash('sha256').update(archive).digest('hex'),
        },
      });
      await api.request('GET', `${profile}/revisions/${target.upload.revision}/content`, {
        token: host.credential,
      });
      const next = (await api.request('GET', profile, { token: host.credential })).body;
      await api.request('POST', `${profile}/revisions/${next.upload.revision}/commit`, {
        token: host.credential,
        body: { size: 3, sha256: createHash('sha256').update('abc').digest('hex') },
      });
      // Session files: the host records a download, the owner reads it.
      const fileId = '0b5d3e5e-8f0c-4a43-9d7e-5c1f0a3b2c11';
      await api.request('PUT', `/api/v1/hosts/${host.id}/sessions/${id}/files/${fileId}`, {
        token: host.credential,
        raw: 'file',
        headers: {
          'content-type': 'text/plain',
          'x-file-name': 'a.txt',
          'x-file-sha256': createHash('sha256').update('file').digest('hex'),
        },
      });
      await api.get(`/api/v1/sessions/${id}/files`, demo);
      await api.get(`/api/v1/sessions/${id}/files/${fileId}`, demo);
      await api.get(`/api/v1/sessions/${id}/files/${fileId}/content`, demo);
      await workflowOperations(api, demo, id, edge.secrets, stack.databaseUrl);
      await webhookOperations(api, demo, id, edge.secrets);
      await walkRecordings(api, host, demo);
      await workspaceOperations(api, demo, id, host);
      host.connections = [];
      await host.beat();
      expect((await api.post(`/api/v1/sessions/${id}/release`, demo)).body.state).toBe('released');
      expect((await api.delete(`/api/v1/sessions/${id}`, demo)).status).toBe(200);
      await api.post(`/api/v1/sessions/${id}/kill`, demo);
      // A session that waits for a host (the only one is full) can be cancelled.
      await api.post('/api/v1/sessions', demo, {});
      await api.post('/api/v1/sessions', demo, {});
      const waiting = await api.post('/api/v1/sessions', demo, {});
      expect(waiting.body.state).toBe('queued');
      await api.post(`/api/v1/sessions/${waiting.body.id}/cancel`, demo);
      await extensionOperations(api, demo, host);

      const seen = new Set(observed.map((o) => `${o.method} ${o.path}`));
      const missing = documentedOperations()
        .map((o) => `${o.method} ${o.path}`)
        .filter((op) => !seen.has(op));
      expect(missing).toEqual([]);
    });
  });
});
