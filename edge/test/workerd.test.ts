/**
 * The self-hosted shape: plain `workerd serve deploy/workerd/edge.capnp` (no Miniflare), every
 * setting from the environment, PostgreSQL behind PgBouncer. Serves /healthz and mints a ticket
 * that verifies against the edge's JWKS — on the lean wire client, and on postgres.js for a
 * connection string the lean client leaves alone — and serves the console from the config's
 * ASSETS (deploy/workerd/console-assets.js over the built console directory).
 */
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from '../local/build.ts';
import { migrate } from '../local/migrate.ts';
import { type RunningPostgres, startPostgres } from '../local/postgres.ts';
import {
  type RunningWorkerd,
  startWorkerd,
  WORKERD_CONFIG,
  WORKERD_CONSOLE_PATH,
} from '../local/workerd.ts';
import { Api } from './support/api.ts';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser } from './support/oidc.ts';

describe('edge on plain workerd (deploy/workerd/edge.capnp)', () => {
  let pg: RunningPostgres;
  let edge: RunningWorkerd | undefined;

  beforeAll(async () => {
    pg = await startPostgres({ pooler: true });
    await migrate(pg.directUrl, { log: () => {} });
  });

  afterAll(async () => {
    await edge?.stop();
    await pg?.stop();
  });

  it('keeps the config in step with wrangler.toml and the Miniflare build', () => {
    const capnp = readFileSync(WORKERD_CONFIG, 'utf8');
    expect(capnp).toContain(`compatibilityDate = "${COMPATIBILITY_DATE}"`);
    expect(capnp).toContain(
      `compatibilityFlags = [${COMPATIBILITY_FLAGS.map((f) => `"${f}"`).join(', ')}]`,
    );
    const wrangler = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
    expect(wrangler).toContain(`compatibility_date = "${COMPATIBILITY_DATE}"`);
    // Every Env setting the worker reads is bound from the environment (no secrets in the file).
    for (const name of [
      'DATABASE_URL',
      'EDGE_URL',
      'TICKET_SIGNING_KEY',
      'HOST_ENROLLMENT_TOKEN',
    ]) {
      expect(capnp).toContain(`(name = "${name}", fromEnvironment = "${name}")`);
    }
    // The console: ASSETS is the console worker over the directory `build:workerd` fills.
    expect(capnp).toContain('(name = "ASSETS", service = "console")');
    expect(capnp).toContain(`disk = (path = "${WORKERD_CONSOLE_PATH}", writable = false)`);
  });

  it('serves the console: the app shell, its files, auth-config.json, a JSON 404 otherwise', async () => {
    await edge?.stop();
    edge = await startWorkerd({
      databaseUrl: pg.url,
      vars: { MCP_BRIDGE_URL: 'https://mcp.example.test' },
      log: () => {},
    });
    const api = new Api(edge.url);
    const source = (file: string) =>
      readFileSync(new URL(`../../client/console/${file}`, import.meta.url), 'utf8');

    for (const path of ['/', '/console', '/console/']) {
      const shell = await api.get(path, null, { unchecked: path === '/console/' });
      expect(shell.status, path).toBe(200);
      expect(shell.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(shell.headers.get('cache-control'), path).toBe('no-cache');
      expect(shell.text, path).toBe(source('index.html'));
    }
    // What index.html loads.
    const script = await api.get('/console/console.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=60');
    expect(Number(script.headers.get('content-length'))).toBe(Buffer.byteLength(script.text));
    expect(script.text.length).toBeGreaterThan(10_000);
    expect(script.text).toContain('sourceMappingURL=console.js.map');
    const style = await api.get('/console/console.css');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(style.text).toBe(source('console.css'));
    const worker = await fetch(`${edge.url}/console/decode-worker.js`, { method: 'HEAD' });
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const map = await fetch(`${edge.url}/console/console.js.map`);
    expect(map.headers.get('content-type')).toBe('application/json');
    expect(((await map.json()) as { version: number }).version).toBe(3);

    const authConfig = await api.get('/auth-config.json');
    expect(authConfig.status).toBe(200);
    expect(authConfig.headers.get('content-type')).toContain('application/json');
    expect(authConfig.body).toMatchObject({
      issuer: `${edge.url}/dev-oidc`,
      client_id: 'browserpane-console',
      mcp_bridge_url: 'https://mcp.example.test',
    });

    // No such file, a directory, a path out of the console directory (the worker bundle is its
    // neighbour): the API's JSON not_found, never a listing or another file.
    for (const path of [
      '/console/missing.js',
      '/console/nested/',
      '/console/..%2Fworker.js',
      '/console/%2e%2e/worker.js',
    ]) {
      const res = await api.get(path, null, { unchecked: path.includes('%') });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toContain('application/json');
      expect(res.body.code, path).toBe(path.includes('%2e') ? 'route_not_found' : 'not_found');
    }
  });

  for (const variant of [
    'lean wire client',
    'postgres.js (connection string with driver options)',
  ]) {
    it(`serves /healthz and mints a verifiable ticket (${variant})`, async () => {
      await edge?.stop();
      const url = new URL(pg.url);
      if (variant.startsWith('postgres.js')) url.searchParams.set('connect_timeout', '10');
      else url.searchParams.set('sslmode', 'disable');
      edge = await startWorkerd({ databaseUrl: url.href, log: () => {} });
      const api = new Api(edge.url);

      expect((await api.get('/healthz')).body).toEqual({ status: 'ok' });
      expect((await api.get('/readyz')).body.checks).toEqual({
        database: 'ok',
        migrations: 'current',
      });

      const demo = await loginDevUser(edge.url, 'demo', 'demo-demo');
      // A live host's name is bound to its credential: each run enrols a name of its own.
      const host = new HostDriver(
        api,
        `wd-host-${variant.startsWith('postgres.js') ? 'pgjs' : 'wire'}`,
      );
      await host.enroll(edge.secrets.hostEnrollmentToken);
      const created = await api.post('/api/v1/sessions', demo, {});
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      host.run(id, 'running');
      await host.beat();

      const res = await api.post(`/api/v1/sessions/${id}/access-tokens`, demo, { role: 'owner' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        token_type: 'session_connect_ticket',
        session_id: id,
        role: 'owner',
        host_id: host.id,
        relay_url: host.relayUrl,
        cert_sha256: host.certSha256,
      });
      const { payload, protectedHeader } = await jwtVerify(
        res.body.token,
        createRemoteJWKSet(new URL(edge.jwksUrl)),
        { issuer: edge.ticketIssuer, audience: 'browserpane-relay', algorithms: ['EdDSA'] },
      );
      expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'JWT' });
      expect(payload).toMatchObject({
        sub: 'demo',
        sid: id,
        hid: host.id,
        role: 'owner',
        caps: res.body.capabilities,
      });
      expect((payload.exp as number) - (payload.iat as number)).toBe(60);

      // The owner check: someone else's session is not found, an unknown one neither.
      const demo2 = await loginDevUser(edge.url, 'demo2', 'demo2-demo2');
      const other = await api.post(`/api/v1/sessions/${id}/access-tokens`, demo2, {});
      expect(other.status).toBe(404);
      expect(other.body.code).toBe('session_not_found');

      // Bodies the worker answers without reading are drained first: a clean 413 / 401, no reset.
      const big = new Uint8Array(16 * 1024 * 1024).fill(0x20);
      for (const [token, expected] of [
        [demo, 413],
        [null, 401],
        [demo, 413],
        [null, 401],
      ] as const) {
        const outcome = await fetch(`${edge.url}/api/v1/sessions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: big,
        }).then(
          (r) => r.status,
          (err: Error) => `network error: ${(err.cause as Error)?.message ?? err.message}`,
        );
        expect(outcome).toBe(expected);
      }
    });
  }
});
