import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser, serviceToken } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

/**
 * The edge's side of the doors: revoking a delegate bumps the session's grant generation (tickets
 * carry it, hosts learn it in their desired state), a host name is bound to its credential, and a
 * user owns at most MAX_SESSIONS_PER_USER live sessions.
 */
describe('grants, host names and quotas', () => {
  let stack: Stack;
  let demo: string;
  let demo2: string;
  let bridge: string;
  let host: HostDriver;
  const api = () => stack.api;

  beforeAll(async () => {
    stack = await startStack('pglite', {
      vars: { MAX_SESSIONS_PER_USER: '3', HOST_LOST_AFTER_MS: '1500' },
    });
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
    bridge = await serviceToken(
      stack.edge.url,
      'mcp-bridge',
      stack.edge.secrets.serviceClients['mcp-bridge'] as string,
    );
    host = new HostDriver(api(), 'doors-host', { maxSessions: 8 });
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
    host.keepAlive(300);
  });

  afterAll(async () => {
    await host?.stopKeepAlive();
    await stack?.stop();
  });

  const generation = (desired: { sessions: { session_id: string }[] }, id: string) =>
    (desired.sessions.find((s) => s.session_id === id) as { grant_generation?: number } | undefined)
      ?.grant_generation;

  it('bumps the grant generation when a delegate is revoked; tickets and desired state carry it', async () => {
    const sid = (await api().post('/api/v1/sessions', demo, {})).body.id as string;
    host.run(sid);
    expect(generation(await host.beat(), sid)).toBe(0);
    const path = `/api/v1/sessions/${sid}`;
    await api().post(`${path}/mcp-owner`, demo, { principal_id: 'mcp-bridge' });
    // Setting an owner revokes nobody.
    expect(generation(await host.beat(), sid)).toBe(0);
    const before = await api().post(`${path}/access-tokens`, bridge, { role: 'automation' });
    expect(before.status).toBe(200);
    expect(decodeJwt(before.body.token)).toMatchObject({ role: 'automation', gen: 0 });

    expect((await api().delete(`${path}/mcp-owner`, demo)).status).toBe(200);
    expect(generation(await host.beat(), sid)).toBe(1);
    // The revoked principal gets no new ticket; a new delegate's tickets carry the new generation.
    expect((await api().post(`${path}/access-tokens`, bridge, { role: 'automation' })).status).toBe(
      404,
    );
    await api().post(`${path}/automation-owner`, demo, { principal_id: 'demo' });
    const after = await api().post(`${path}/access-tokens`, demo, { role: 'automation' });
    expect(decodeJwt(after.body.token)).toMatchObject({ role: 'automation', gen: 1 });
    // Owner tickets carry it too (the host enforces it for automation only).
    const owner = await api().post(`${path}/access-tokens`, demo, { role: 'owner' });
    expect(decodeJwt(owner.body.token)).toMatchObject({ role: 'owner', gen: 1 });

    // Replacing the automation owner revokes the one replaced.
    await api().post(`${path}/automation-owner`, demo, { principal_id: 'mcp-bridge' });
    expect(generation(await host.beat(), sid)).toBe(2);
    const events = (await api().get(`${path}/status`, demo)).body.events as {
      type: string;
      data: Record<string, unknown> | null;
    }[];
    // (newest first)
    expect(events.filter((e) => e.type === 'grants_revoked').map((e) => e.data)).toEqual([
      { principals: ['demo'], grant_generation: 2 },
      { principals: ['mcp-bridge'], grant_generation: 1 },
    ]);
    await api().delete(`${path}/automation-owner`, demo);
    await api().post(`${path}/kill`, demo);
    host.drop(sid);
    await host.beat();
  });

  it('binds a host name to its credential: the enrolment token alone cannot take a live host over', async () => {
    const body = {
      name: host.name,
      region: 'local',
      capacity: { max_sessions: 8 },
      relay_url: 'https://attacker.test:4433',
      cert_sha256: 'a'.repeat(64),
      agent_version: 'evil',
    };
    const token = stack.edge.secrets.hostEnrollmentToken;
    const takeover = await api().post('/api/v1/hosts/enroll', token, body);
    expect(takeover.status).toBe(409);
    expect(takeover.body.code).toBe('host_name_taken');
    const guessed = await api().post('/api/v1/hosts/enroll', token, {
      ...body,
      host_credential: 'bph_not-the-credential',
    });
    expect(guessed.status).toBe(409);
    // The live host is untouched: same relay, its credential still works.
    const hosts = (await api().get('/api/v1/hosts', stack.edge.secrets.operatorToken)).body
      .hosts as { name: string; relay_url: string }[];
    expect(hosts.find((h) => h.name === host.name)?.relay_url).toBe(host.relayUrl);
    expect((await host.beat()).heartbeat_interval_ms).toBeGreaterThan(0);

    // Its own agent re-enrols with its credential: same id, new credential.
    const id = host.id;
    await host.stopKeepAlive();
    await host.enroll(token);
    expect(host.id).toBe(id);
    host.keepAlive(300);

    // A host that is lost may be claimed back without it (its sessions went back to the queue).
    const gone = new HostDriver(api(), 'doors-gone');
    await gone.enroll(token);
    await gone.beat();
    const reclaim = () =>
      api().post('/api/v1/hosts/enroll', token, { ...body, name: 'doors-gone' });
    expect((await reclaim()).status).toBe(409);
    await new Promise((r) => setTimeout(r, 2000));
    const reclaimed = await reclaim();
    expect(reclaimed.status).toBe(201);
    expect(reclaimed.body.host_id).toBe(gone.id);
  });

  it('keeps each user within MAX_SESSIONS_PER_USER live sessions (429 session_quota_exceeded)', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api().post('/api/v1/sessions', demo2, {});
      expect(res.status).toBe(201);
      mine.push(res.body.id);
    }
    const over = await api().post('/api/v1/sessions', demo2, {});
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('session_quota_exceeded');
    expect(over.body.error).toContain('3');
    // Another user is not affected.
    const theirs = await api().post('/api/v1/sessions', demo, {});
    expect(theirs.status).toBe(201);
    await api().post(`/api/v1/sessions/${theirs.body.id}/kill`, demo);

    // Stopping one frees a slot; restarting a stopped one (an owner ticket) takes one again.
    const first = mine[0] as string;
    await api().post(`/api/v1/sessions/${first}/kill`, demo2);
    await host.beat();
    host.drop(first);
    await host.beat();
    await expect
      .poll(async () => (await api().get(`/api/v1/sessions/${first}`, demo2)).body.state)
      .toBe('stopped');
    const fourth = await api().post('/api/v1/sessions', demo2, {});
    expect(fourth.status).toBe(201);
    const restart = await api().post(`/api/v1/sessions/${first}/access-tokens`, demo2, {
      role: 'owner',
    });
    expect(restart.status).toBe(429);
    expect(restart.body.code).toBe('session_quota_exceeded');
    expect((await api().get(`/api/v1/sessions/${first}`, demo2)).body.state).toBe('stopped');
  });
});
