import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

type Json = Record<string, unknown>;

/** A JSON body sent as is (not checked against the contract: it is meant to be wrong). */
const json = (body: unknown, raw = JSON.stringify(body)) => ({
  raw,
  headers: { 'content-type': 'application/json' },
});

/**
 * Sharing a session: the owner invites a person by `sub` or e-mail, or makes a link, as viewer or
 * collaborator; they see and join it within their role; revoking bumps the grant generation and
 * disconnects the people who used the share. Anonymous callers and other users get nothing.
 */
describe('sharing a session', () => {
  let stack: Stack;
  let demo: string;
  let demo2: string;
  let host: HostDriver;
  const api = () => stack.api;

  beforeAll(async () => {
    stack = await startStack('pglite');
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
    host = new HostDriver(api(), 'shares-host', { maxSessions: 8 });
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
    host.keepAlive(300);
  });

  afterAll(async () => {
    await host?.stopKeepAlive();
    await stack?.stop();
  });

  const newSession = async (labels?: Record<string, string>) => {
    const sid = (await api().post('/api/v1/sessions', demo, labels ? { labels } : {})).body
      .id as string;
    host.run(sid);
    await host.beat();
    return sid;
  };
  const generation = (desired: { sessions: { session_id: string }[] }, id: string) =>
    (desired.sessions.find((s) => s.session_id === id) as { grant_generation?: number } | undefined)
      ?.grant_generation;
  const ticket = (sid: string, token: string, role: string) =>
    api().post(`/api/v1/sessions/${sid}/access-tokens`, token, { role });

  it('before sharing, another signed-in person gets 404 for the session and its tickets', async () => {
    const sid = await newSession();
    expect((await api().get(`/api/v1/sessions/${sid}`, demo2)).status).toBe(404);
    expect((await ticket(sid, demo2, 'viewer')).body).toMatchObject({ code: 'session_not_found' });
  });

  it('an e-mail invitation as viewer: listed, readable, viewer tickets only, never control', async () => {
    const sid = await newSession();
    const path = `/api/v1/sessions/${sid}`;
    const made = await api().post(`${path}/shares`, demo, {
      role: 'viewer',
      email: 'Demo2@Example.test',
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      kind: 'user',
      role: 'viewer',
      email: 'demo2@example.test',
      subject: null,
      expires_at: null,
      used_by: [],
    });
    expect(made.body).not.toHaveProperty('link_token');

    const listed = (await api().get('/api/v1/sessions', demo2)).body.sessions as Json[];
    expect(listed.find((s) => s.id === sid)).toMatchObject({ access: 'viewer' });
    expect((await api().get(path, demo)).body).toMatchObject({ access: 'owner' });
    expect((await api().get(path, demo2)).body).toMatchObject({ id: sid, access: 'viewer' });
    expect((await api().get(`${path}/status`, demo2)).status).toBe(200);

    const viewer = await ticket(sid, demo2, 'viewer');
    expect(viewer.status).toBe(200);
    expect(decodeJwt(viewer.body.token as string)).toMatchObject({
      sub: 'demo2',
      role: 'viewer',
      via: 'share',
      gen: 0,
    });
    expect((await ticket(sid, demo2, 'owner')).body).toMatchObject({ code: 'forbidden' });
    expect((await ticket(sid, demo2, 'automation')).status).toBe(403);
    // the owner's own tickets are not a share's
    expect(decodeJwt((await ticket(sid, demo, 'viewer')).body.token as string)).not.toHaveProperty(
      'via',
    );
    // control stays the owner's
    for (const [method, route] of [
      ['post', `${path}/stop`],
      ['delete', path],
      ['get', `${path}/shares`],
      ['post', `${path}/connections/disconnect-all`],
    ] as const) {
      const res =
        method === 'get'
          ? await api().get(route, demo2)
          : method === 'delete'
            ? await api().delete(route, demo2)
            : await api().post(route, demo2, {});
      expect(res.status, `${method} ${route}`).toBe(404);
    }
    expect(
      (await api().post(`${path}/shares`, demo2, { role: 'viewer', subject: 'demo2' })).status,
    ).toBe(404);
    // the invitation records who used it
    const shares = (await api().get(`${path}/shares`, demo)).body.shares as Json[];
    expect(shares[0]?.used_by).toEqual([{ principal_id: 'demo2', display_name: 'Demo User 2' }]);
  });

  it('a collaborator drives (owner tickets) but never restarts a stopped session', async () => {
    const sid = await newSession();
    const path = `/api/v1/sessions/${sid}`;
    await api().post(`${path}/shares`, demo, { role: 'collaborator', subject: 'demo2' });
    expect((await api().get(path, demo2)).body).toMatchObject({ access: 'collaborator' });
    const owner = await ticket(sid, demo2, 'owner');
    expect(owner.status).toBe(200);
    expect(decodeJwt(owner.body.token as string)).toMatchObject({ role: 'owner', via: 'share' });

    host.drop(sid);
    await api().post(`${path}/stop`, demo, {});
    await host.beat();
    await expect
      .poll(async () => (await api().get(path, demo)).body.state, { timeout: 10_000 })
      .toBe('stopped');
    expect((await ticket(sid, demo2, 'owner')).body).toMatchObject({ code: 'session_stopped' });
    expect((await api().get(path, demo)).body.state).toBe('stopped');
  });

  it('a link: secret once, redeemed by a signed-in person, revoked with the generation', async () => {
    const sid = await newSession();
    const path = `/api/v1/sessions/${sid}`;
    const made = await api().post(`${path}/shares`, demo, {
      role: 'viewer',
      link: true,
      expires_in_sec: 3600,
    });
    expect(made.status).toBe(201);
    const token = made.body.link_token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(made.body.link_url).toBe(`${stack.edge.url}/?share=${token}`);
    expect(Date.parse(made.body.expires_at as string)).toBeGreaterThan(Date.now() + 3500_000);
    const listed = (await api().get(`${path}/shares`, demo)).body.shares as Json[];
    expect(JSON.stringify(listed)).not.toContain(token);

    // not shared with demo2 until redeemed
    expect((await api().get(path, demo2)).status).toBe(404);
    expect((await api().post('/api/v1/share-links/redeem', undefined, { token })).status).toBe(401);
    const redeemed = await api().post('/api/v1/share-links/redeem', demo2, { token });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toMatchObject({ session_id: sid, role: 'viewer' });
    expect((await api().get(path, demo2)).body).toMatchObject({ access: 'viewer' });
    expect((await ticket(sid, demo2, 'viewer')).status).toBe(200);

    // demo2 is connected through the link; revoking cuts them and bumps the generation
    host.connect({
      connection_id: 'viewer-demo2',
      session_id: sid,
      role: 'viewer',
      principal: 'demo2',
      display_name: 'Demo User 2',
      client: 'console',
    });
    const before = generation(await host.beat(), sid) as number;
    const shareId = made.body.id as string;
    const revoked = await api().delete(`${path}/shares/${shareId}`, demo);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ shares: [] });
    const desired = await host.beat();
    expect(generation(desired, sid)).toBe(before + 1);
    expect(desired.commands).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'disconnect', connection_id: 'viewer-demo2' }),
      ]),
    );
    expect((await api().get(path, demo2)).status).toBe(404);
    expect((await ticket(sid, demo2, 'viewer')).status).toBe(404);
    expect((await api().post('/api/v1/share-links/redeem', demo2, { token })).body).toMatchObject({
      code: 'share_link_invalid',
    });
    expect((await api().delete(`${path}/shares/${shareId}`, demo)).body).toMatchObject({
      code: 'share_not_found',
    });
    const events = (await api().get(`${path}/status`, demo)).body.events as Json[];
    expect(events.find((e) => e.type === 'grants_revoked')?.data).toEqual({
      share_id: shareId,
      principals: ['demo2'],
      grant_generation: before + 1,
    });
  });

  it('share routes refuse anonymous callers and other users', async () => {
    const sid = await newSession();
    const path = `/api/v1/sessions/${sid}`;
    const share = await api().post(`${path}/shares`, demo, { role: 'viewer', subject: 'x' });
    const shareId = share.body.id as string;
    const anon = [
      await api().get(`${path}/shares`, undefined),
      await api().post(`${path}/shares`, undefined, { role: 'viewer', subject: 'demo2' }),
      await api().delete(`${path}/shares/${shareId}`, undefined),
      await api().post('/api/v1/share-links/redeem', undefined, { token: 'a'.repeat(43) }),
    ];
    expect(anon.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    const wrong = [
      await api().get(`${path}/shares`, demo2),
      await api().post(`${path}/shares`, demo2, { role: 'viewer', subject: 'demo2' }),
      await api().delete(`${path}/shares/${shareId}`, demo2),
    ];
    expect(wrong.map((r) => r.body.code)).toEqual([
      'session_not_found',
      'session_not_found',
      'session_not_found',
    ]);
    expect((await api().get(`${path}/shares`, demo)).body.shares).toHaveLength(1);
  });

  it('bad share input gets a 400 that names the problem', async () => {
    const sid = await newSession();
    const path = `/api/v1/sessions/${sid}/shares`;
    const cases: [unknown, string][] = [
      [{ role: 'admin', subject: 'demo2' }, 'role'],
      [{ role: 'viewer' }, 'exactly one'],
      [{ role: 'viewer', subject: 'demo2', link: true }, 'exactly one'],
      [{ role: 'viewer', email: 'not-an-address' }, 'e-mail'],
      [{ role: 'viewer', link: false }, 'link'],
      [{ role: 'viewer', link: true, expires_in_sec: 5 }, 'expires_in_sec'],
      [{ role: 'viewer', subject: '' }, 'subject'],
      [{ role: 'viewer', subject: 'demo2', extra: 1 }, 'extra'],
    ];
    for (const [body, word] of cases) {
      const res = await api().request('POST', path, { token: demo, ...json(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body), JSON.stringify(body)).toContain(word);
    }
    expect(
      (await api().request('POST', path, { token: demo, ...json(undefined, '{"role":') })).body,
    ).toMatchObject({ code: 'invalid_json' });
    expect((await api().delete(`${path}/not-a-uuid`, demo)).body).toMatchObject({
      code: 'invalid_id',
    });
    for (const token of ['short', 'has spaces in it!!!!!!!', 'x'.repeat(200)]) {
      const res = await api().request('POST', '/api/v1/share-links/redeem', {
        token: demo2,
        ...json({ token }),
      });
      expect(res.status, token).toBe(400);
    }
  });
});
