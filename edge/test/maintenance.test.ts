/**
 * `POST /api/v1/maintenance/sweep`: the periodic sweep on demand, for edges without cron triggers
 * (plain workerd). Operator token only; runs the very sweep `scheduled` runs and says what it did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerd } from '../local/workerd.ts';
import { Api } from './support/api.ts';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

const LOST_AFTER_MS = 3000;
const SWEEP = '/api/v1/maintenance/sweep';

describe('operator sweep endpoint', () => {
  let stack: Stack;
  let demo: string;
  let host: HostDriver;
  const logs: string[] = [];
  const api = () => stack.api;
  const operator = () => stack.edge.secrets.operatorToken;
  const sweepLogs = () =>
    logs
      .filter((l) => l.includes('"msg":"sweep"'))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>);

  beforeAll(async () => {
    stack = await startStack('pglite', {
      vars: { HOST_LOST_AFTER_MS: String(LOST_AFTER_MS), HOST_HEARTBEAT_INTERVAL_MS: '1000' },
      log: (line) => logs.push(line),
    });
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
  });

  afterAll(async () => {
    await host?.stopKeepAlive();
    await stack?.stop();
  });

  it('refuses callers without the operator token (401, the one error shape)', async () => {
    const missing = await api().post(SWEEP);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.body).toEqual({
      error: expect.stringContaining('operator token'),
      code: 'unauthorized',
      request_id: missing.headers.get('x-request-id'),
    });
    for (const token of ['bpo_wrong-token', stack.edge.secrets.hostEnrollmentToken, demo]) {
      const res = await api().post(SWEEP, token);
      expect(res.status, `token ${token.slice(0, 4)}…`).toBe(401);
      expect(res.body.code).toBe('unauthorized');
    }
    const get = await api().get(SWEEP, operator());
    expect(get.status).toBe(405);
    expect(get.body.code).toBe('method_not_allowed');
    expect(get.headers.get('allow')).toBe('POST');
    const query = await api().post(`${SWEEP}?force=1`, operator());
    expect(query.status).toBe(400);
    expect(query.body.code).toBe('validation_failed');
    expect(sweepLogs()).toEqual([]);
  });

  it('sweeps with nothing to do and says so', async () => {
    const res = await api().post(SWEEP, operator());
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      lost_hosts: 0,
      idle_stopped: 0,
      placed: 0,
      recordings_closed: 0,
      recordings_expired: 0,
    });
    // The same log line the cron and queue triggers write, with its own trigger.
    expect(sweepLogs()).toEqual([
      {
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        level: 'info',
        module: 'sweep',
        msg: 'sweep',
        trigger: 'api',
        lost_hosts: 0,
        idle_stopped: 0,
        placed: 0,
        recordings_closed: 0,
        recordings_expired: 0,
      },
    ]);
  });

  it('stops a session left idle', async () => {
    host = new HostDriver(api(), 'sweep-host-a', { maxSessions: 2 });
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
    host.keepAlive();
    const idle = (await api().post('/api/v1/sessions', demo, { idle_timeout_sec: 1 })).body;
    expect(idle).toMatchObject({ state: 'starting', host_id: host.id });
    const busy = (await api().post('/api/v1/sessions', demo, { idle_timeout_sec: 300 })).body;
    host.run(idle.id);
    host.run(busy.id);
    await host.beat();
    await new Promise((r) => setTimeout(r, 1300));

    const res = await api().post(SWEEP, operator());
    expect(res.body).toEqual({
      lost_hosts: 0,
      idle_stopped: 1,
      placed: 0,
      recordings_closed: 0,
      recordings_expired: 0,
    });
    expect((await api().get(`/api/v1/sessions/${idle.id}`, demo)).body).toMatchObject({
      state: 'stopping',
      stop_reason: 'idle_timeout',
    });
    expect((await api().get(`/api/v1/sessions/${busy.id}`, demo)).body.state).toBe('ready');
    await host.beat();
    expect(host.desired(idle.id)).toBe('stopped');
    host.drop(idle.id);
    await host.beat();
    const status = await api().get(`/api/v1/sessions/${idle.id}/status`, demo);
    expect(status.body.state).toBe('stopped');
    expect(status.body.events.map((e: { type: string }) => e.type)).toContain('idle_stop');
    // Already stopped: a second sweep has nothing left to do.
    expect((await api().post(SWEEP, operator())).body.idle_stopped).toBe(0);
  });

  it('marks a host that stopped heartbeating lost, and its session runtime_lost', async () => {
    const sessions = (await api().get('/api/v1/sessions?state=ready', demo)).body.sessions as {
      id: string;
      host_id: string;
    }[];
    expect(sessions).toHaveLength(1);
    const onHost = sessions[0] as { id: string; host_id: string };
    expect(onHost.host_id).toBe(host.id);
    await host.stopKeepAlive();
    // Reads never mark a late host lost (GET has no side effects): only the sweep does.
    await new Promise((r) => setTimeout(r, LOST_AFTER_MS + 300));

    const before = await api().get(`/api/v1/sessions/${onHost.id}/status`, demo);
    expect(before.body).toMatchObject({ state: 'ready', host: { status: 'healthy' } });

    const res = await api().post(SWEEP, operator());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      lost_hosts: 1,
      idle_stopped: 0,
      placed: 0,
      recordings_closed: 0,
      recordings_expired: 0,
    });
    const status = await api().get(`/api/v1/sessions/${onHost.id}/status`, demo);
    expect(status.body).toMatchObject({
      state: 'queued',
      runtime_state: 'not_started',
      host: null,
      queue: { reason: 'runtime_lost', dispatch_blocker: 'runtime_capacity' },
    });
    expect(status.body.events.map((e: { type: string }) => e.type)).toContain('runtime_lost');
    const hosts = await api().get('/api/v1/hosts', operator());
    expect(hosts.body.hosts).toEqual([
      expect.objectContaining({ name: host.name, status: 'lost' }),
    ]);
    // Idempotent: the host is already lost.
    expect((await api().post(SWEEP, operator())).body.lost_hosts).toBe(0);
    expect(sweepLogs().map((l) => l.trigger)).toEqual(['api', 'api', 'api', 'api', 'api']);
  });

  it('answers on plain workerd (deploy/workerd/edge.capnp), where there is no cron', async () => {
    // Same database and the same generated secrets (dataDir) as the Miniflare edge above.
    const edge = await startWorkerd({
      databaseUrl: stack.databaseUrl,
      dataDir: stack.dataDir,
      log: () => {},
    });
    try {
      const wd = new Api(edge.url);
      expect((await wd.post(SWEEP, 'bpo_wrong-token')).status).toBe(401);
      const res = await wd.post(SWEEP, edge.secrets.operatorToken);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        lost_hosts: 0,
        idle_stopped: 0,
        placed: 0,
        recordings_closed: 0,
        recordings_expired: 0,
      });
    } finally {
      await edge.stop();
    }
  });
});
