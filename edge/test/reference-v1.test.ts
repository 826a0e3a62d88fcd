import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from './support/api.ts';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser, serviceToken } from './support/oidc.ts';
import {
  AUTOMATION_ACCESS,
  CONNECT_TICKET,
  check,
  ERROR,
  IDENTITY,
  OK,
  SESSION,
  SESSION_LIST,
  type Spec,
  STATUS,
  STOP_CONFLICT,
} from './support/reference-v1.ts';
import { type Stack, startStack } from './support/stack.ts';

/**
 * Every session route of the reference's frozen v1 contract (§3–§4 of the digest), called the way
 * its clients call it (bare POSTs, its body members), answered with the status it expects and
 * every member it requires (support/reference-v1.ts, written from the digest, not from our
 * declarations).
 */
describe('reference v1 contract: required fields of every session route', () => {
  let stack: Stack;
  let demo: string;
  let demo2: string;
  let bridge: string;
  let host: HostDriver;

  beforeAll(async () => {
    stack = await startStack('pglite');
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
    bridge = await serviceToken(
      stack.edge.url,
      'mcp-bridge',
      stack.edge.secrets.serviceClients['mcp-bridge'] as string,
    );
    host = new HostDriver(stack.api, 'reference-host', { maxSessions: 4 });
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
  });
  afterAll(() => stack?.stop());

  const answers: { route: string; status: number }[] = [];

  /** One call: the expected status and the digest's required members of its answer. */
  async function call(
    route: string,
    method: string,
    path: string,
    token: string | null,
    expected: { status: number; spec: Spec },
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const res = await stack.api.request(method, path, {
      token,
      ...(body === undefined ? {} : { body }),
      headers,
      // A body our own document refuses is sent as is (the answer is what is checked).
      unchecked: expected.status === 400,
    });
    answers.push({ route, status: res.status });
    expect(res.status, `${route}: ${res.text.slice(0, 300)}`).toBe(expected.status);
    expect(check(expected.spec, res.body), route).toEqual([]);
    return res;
  }
  const s = (id: string, rest = '') => `/api/v1/sessions/${id}${rest}`;
  const ok = (spec: Spec) => ({ status: 200, spec });

  it('identity (§3.1)', async () => {
    const me = await call('GET identity/me', 'GET', '/api/v1/identity/me', demo, ok(IDENTITY));
    expect(me.body).toMatchObject({ subject: 'demo', principal_type: 'user', client_id: null });
    const service = await call(
      'GET identity/me',
      'GET',
      '/api/v1/identity/me',
      bridge,
      ok(IDENTITY),
    );
    expect(service.body).toMatchObject({
      subject: 'mcp-bridge',
      client_id: 'mcp-bridge',
      principal_type: 'service_principal',
    });
    await call('GET identity/me', 'GET', '/api/v1/identity/me', null, { status: 401, spec: ERROR });
  });

  it('the session lifecycle, delegation and MCP ownership (§4.1–§4.16)', async () => {
    // Create, with what the reference's MCP bridge and CLI send.
    const created = await call(
      'POST sessions',
      'POST',
      '/api/v1/sessions',
      demo,
      { status: 201, spec: SESSION },
      {
        display_name: 'MCP session',
        owner_mode: 'exclusive_browser_owner',
        integration_context: { ticket: 'SUP-7', priority: 2 },
        labels: { team: 'support' },
        viewport: { width: 1280, height: 720 },
        capabilities: {
          browser_input: true,
          clipboard: true,
          audio: false,
          microphone: false,
          camera: false,
          file_transfer: true,
          resize: true,
        },
        idle_timeout_sec: 600,
        recording: { mode: 'disabled', format: 'webm', retention_sec: null },
        project_id: null,
      },
    );
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      owner_mode: 'exclusive_browser_owner',
      integration_context: { ticket: 'SUP-7', priority: 2 },
      capabilities: { audio: false, browser_input: true },
      owner: { subject: 'demo', issuer: expect.stringContaining('/dev-oidc') },
      recording: { mode: 'disabled' },
      automation_delegate: null,
      connect: { auth_type: 'session_connect_ticket', ticket_path: s(id, '/access-tokens') },
    });
    // An empty body takes every default (and so does none at all).
    await call(
      'POST sessions',
      'POST',
      '/api/v1/sessions',
      demo,
      { status: 201, spec: SESSION },
      {},
    );

    // List, filtered.
    const list = await call(
      'GET sessions',
      'GET',
      '/api/v1/sessions?label.team=support&integration.ticket=SUP-7&state=starting,queued&limit=10&offset=0',
      demo,
      ok(SESSION_LIST),
    );
    expect(list.body.sessions.map((x: { id: string }) => x.id)).toEqual([id]);
    for (const item of list.body.sessions) expect(check(SESSION, item)).toEqual([]);
    expect((await stack.api.get('/api/v1/sessions?label.team=sales', demo)).body.sessions).toEqual(
      [],
    );
    expect(
      (await stack.api.get('/api/v1/sessions?runtime_state=stopped', demo)).body.sessions,
    ).toEqual([]);

    // Read and status; the host runs it, a person and a viewer attach.
    host.run(id);
    host.connect({
      connection_id: 'p1',
      session_id: id,
      role: 'owner',
      principal: 'demo',
      display_name: 'Demo',
    });
    host.connect({
      connection_id: 'p2',
      session_id: id,
      role: 'viewer',
      principal: 'demo',
      display_name: 'Demo',
    });
    await host.beat();
    const read = await call('GET sessions/{id}', 'GET', s(id), demo, ok(SESSION));
    expect(read.body.status).toMatchObject({
      runtime_state: 'running',
      runtime_resume_mode: 'exact_live',
      presence_state: 'connected',
      connection_counts: { interactive_clients: 2, owner_clients: 1, viewer_clients: 1 },
    });
    const status = await call(
      'GET sessions/{id}/status',
      'GET',
      s(id, '/status'),
      demo,
      ok(STATUS),
    );
    expect(status.body).toMatchObject({
      exclusive_browser_owner: true,
      mcp_owner: false,
      browser_clients: 2,
      resolution: [1280, 720],
    });

    // A connect ticket (bare POST).
    await call('POST access-tokens', 'POST', s(id, '/access-tokens'), demo, ok(CONNECT_TICKET));

    // Stop, delete and release refuse while people are attached: the conflict body.
    for (const [route, method, path] of [
      ['POST stop', 'POST', s(id, '/stop')],
      ['DELETE sessions/{id}', 'DELETE', s(id)],
      ['POST release', 'POST', s(id, '/release')],
    ] as const) {
      const conflict = await call(route, method, path, demo, { status: 409, spec: STOP_CONFLICT });
      expect(conflict.body.session.status.stop_eligibility.allowed).toBe(false);
    }

    // Disconnect one (by its integer id), then all: the status after.
    const viewer = status.body.connections.find((c: { role: string }) => c.role === 'viewer');
    const one = await call(
      'POST connections/{cid}/disconnect',
      'POST',
      s(id, `/connections/${viewer.connection_id}/disconnect`),
      demo,
      ok(STATUS),
    );
    expect(one.body.connection_counts.viewer_clients).toBe(0);
    const all = await call(
      'POST connections/disconnect-all',
      'POST',
      s(id, '/connections/disconnect-all'),
      demo,
      ok(STATUS),
    );
    expect(all.body.connection_counts.total_clients).toBe(0);
    host.connections = [];
    await host.beat();

    // Delegate to an automation principal (the reference body), which then reads the session,
    // mints automation access and claims MCP ownership with the automation token.
    const delegated = await call(
      'POST automation-owner',
      'POST',
      s(id, '/automation-owner'),
      demo,
      ok(SESSION),
      { client_id: 'mcp-bridge', issuer: null, display_name: 'MCP bridge' },
    );
    expect(delegated.body.automation_delegate).toMatchObject({
      client_id: 'mcp-bridge',
      display_name: 'MCP bridge',
    });
    await call('GET sessions/{id}', 'GET', s(id), bridge, ok(SESSION));
    const listed = await call('GET sessions', 'GET', '/api/v1/sessions', bridge, ok(SESSION_LIST));
    expect(listed.body.sessions.map((x: { id: string }) => x.id)).toContain(id);
    const access = await call(
      'POST automation-access',
      'POST',
      s(id, '/automation-access'),
      bridge,
      ok(AUTOMATION_ACCESS),
    );
    expect(access.body.automation).toMatchObject({
      status_path: s(id, '/status'),
      mcp_owner_path: s(id, '/mcp-owner'),
    });
    const token = { 'x-bpane-automation-access-token': access.body.token };
    const claimed = await call(
      'POST mcp-owner',
      'POST',
      access.body.automation.mcp_owner_path,
      null,
      ok(OK),
      { width: 1024, height: 640 },
      token,
    );
    expect(claimed.body.viewport).toEqual({ width: 1024, height: 640 });
    const owned = await call(
      'GET sessions/{id}/status',
      'GET',
      access.body.automation.status_path,
      null,
      ok(STATUS),
      undefined,
      token,
    );
    expect(owned.body).toMatchObject({
      mcp_owner: true,
      presence_state: 'automation_owned',
      connection_counts: { automation_clients: 1 },
      stop_eligibility: { allowed: false, blockers: [{ kind: 'automation_owner', count: 1 }] },
    });
    // The token is for this session only, and no credential at all is a 401.
    const other = (await stack.api.post('/api/v1/sessions', demo, {})).body.id as string;
    await call(
      'GET sessions/{id}/status',
      'GET',
      s(other, '/status'),
      null,
      { status: 401, spec: ERROR },
      undefined,
      token,
    );
    await call('GET sessions/{id}/status', 'GET', s(id, '/status'), null, {
      status: 401,
      spec: ERROR,
    });
    await call('DELETE mcp-owner', 'DELETE', s(id, '/mcp-owner'), null, ok(OK), undefined, token);
    const cleared = await call(
      'DELETE automation-owner',
      'DELETE',
      s(id, '/automation-owner'),
      demo,
      ok(SESSION),
    );
    expect(cleared.body.automation_delegate).toBeNull();
    expect((await stack.api.get(s(id), bridge)).status).toBe(404);

    // Release (no blockers left): the runtime goes, the session stays `released`.
    const released = await call('POST release', 'POST', s(id, '/release'), demo, ok(SESSION));
    expect(released.body).toMatchObject({
      state: 'released',
      status: { runtime_state: 'released', runtime_resume_mode: 'released' },
    });
    expect(released.body.runtime_released_at).not.toBeNull();
    await host.beat();
    expect(host.desired(id)).toBe('stopped');
    host.drop(id);
    await host.beat();
    // Reconnecting restarts it from its profile.
    await call('POST access-tokens', 'POST', s(id, '/access-tokens'), demo, ok(CONNECT_TICKET));
    host.run(id);
    await host.beat();
    expect((await stack.api.get(s(id), demo)).body.status).toMatchObject({
      runtime_state: 'running',
      runtime_resume_mode: 'profile_restart',
    });

    // Stop, delete and kill answer the session.
    const stopped = await call('POST stop', 'POST', s(id, '/stop'), demo, ok(SESSION));
    expect(['stopping', 'stopped']).toContain(stopped.body.state);
    await call('DELETE sessions/{id}', 'DELETE', s(id), demo, ok(SESSION));
    const killed = await call('POST kill', 'POST', s(id, '/kill'), demo, ok(SESSION));
    expect(['stopping', 'stopped']).toContain(killed.body.state);
    host.drop(id);
    await host.beat();
    // Kill on a stopped session answers it unchanged; its status is still served.
    expect((await call('POST kill', 'POST', s(id, '/kill'), demo, ok(SESSION))).body.state).toBe(
      'stopped',
    );
    await call('GET sessions/{id}/status', 'GET', s(id, '/status'), demo, ok(STATUS));
    await call('POST release', 'POST', s(id, '/release'), demo, { status: 409, spec: ERROR });
  });

  it('cancels a queued session (§4.17)', async () => {
    // Fill the host (it holds four sessions): then a new one waits.
    let queued: ApiResponse | undefined;
    for (let i = 0; i < 5 && !queued; i++) {
      const res = await call('POST sessions', 'POST', '/api/v1/sessions', demo2, {
        status: 201,
        spec: SESSION,
      });
      if (res.body.state === 'queued') queued = res;
    }
    if (!queued) throw new Error('no session was queued');
    expect(queued.body.queue).toMatchObject({ cancellable: true, reason: 'pool_full' });
    const id = queued.body.id as string;
    const placed = (await stack.api.get('/api/v1/sessions?state=starting', demo)).body.sessions[0];
    await call('POST cancel', 'POST', s(placed.id, '/cancel'), demo, { status: 409, spec: ERROR });
    const cancelled = await call('POST cancel', 'POST', s(id, '/cancel'), demo2, ok(SESSION));
    expect(cancelled.body).toMatchObject({
      state: 'stopped',
      queue: null,
      queued_at: null,
      status: { runtime_state: 'stopped', runtime_resume_mode: 'stopped' },
    });
    // Harmless again; another owner (even a delegate) sees a 404.
    await call('POST cancel', 'POST', s(id, '/cancel'), demo2, ok(SESSION));
    await call('POST cancel', 'POST', s(id, '/cancel'), demo, { status: 404, spec: ERROR });
  });

  it('answers errors with a message string, and hides other owners’ sessions (§2.3)', async () => {
    const id = (await stack.api.post('/api/v1/sessions', demo, {})).body.id as string;
    await call('GET sessions/{id}', 'GET', s(id), demo2, { status: 404, spec: ERROR });
    await call('GET sessions', 'GET', '/api/v1/sessions', null, { status: 401, spec: ERROR });
    const bad = await call(
      'POST sessions',
      'POST',
      '/api/v1/sessions',
      demo,
      { status: 400, spec: ERROR },
      {
        viewport: { width: 'wide', height: 600 },
      },
    );
    expect(bad.body.error).toMatch(/^body\.viewport\.width must be /);
  });

  it('walked every session route of the digest', () => {
    const routes = new Set(answers.map((a) => a.route));
    expect([...routes].sort()).toEqual(
      [
        'DELETE automation-owner',
        'DELETE mcp-owner',
        'DELETE sessions/{id}',
        'GET identity/me',
        'GET sessions',
        'GET sessions/{id}',
        'GET sessions/{id}/status',
        'POST access-tokens',
        'POST automation-access',
        'POST automation-owner',
        'POST cancel',
        'POST connections/disconnect-all',
        'POST connections/{cid}/disconnect',
        'POST kill',
        'POST mcp-owner',
        'POST release',
        'POST sessions',
        'POST stop',
      ].sort(),
    );
  });
});
