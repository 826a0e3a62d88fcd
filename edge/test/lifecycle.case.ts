import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  capabilityList,
  DEFAULT_SESSION_CAPABILITIES,
  roleCapabilities,
} from '@browserpane/protocol';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519Jwk } from '../local/dev-secrets.ts';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser, serviceToken } from './support/oidc.ts';
import { type DbKind, type Stack, startStack } from './support/stack.ts';

const LOST_AFTER_MS = 4000;

/**
 * The whole session lifecycle over HTTP against the edge under workerd, on one database kind.
 * Steps run in order and share state, like a day in the life of a deployment.
 */
export function lifecycleSuite(kind: DbKind) {
  describe(`session lifecycle (${kind})`, () => {
    let stack: Stack;
    let demo: string;
    let demo2: string;
    let bridge: string;
    let hostA: HostDriver;
    let hostB: HostDriver;
    let s1: string;
    let ownerTicket: string;
    const api = () => stack.api;

    beforeAll(async () => {
      stack = await startStack(kind, {
        vars: { HOST_LOST_AFTER_MS: String(LOST_AFTER_MS), HOST_HEARTBEAT_INTERVAL_MS: '1000' },
      });
      demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
      demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
      bridge = await serviceToken(
        stack.edge.url,
        'mcp-bridge',
        stack.edge.secrets.serviceClients['mcp-bridge'] as string,
      );
    });

    afterAll(async () => {
      await hostA?.stopKeepAlive();
      await hostB?.stopKeepAlive();
      await stack?.stop();
    });

    it('is healthy and ready, and knows who is calling', async () => {
      expect((await api().get('/healthz')).body).toEqual({ status: 'ok' });
      const ready = await api().get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toEqual({ database: 'ok', migrations: 'current' });
      expect((await api().get('/api/v1/me', demo)).body).toMatchObject({
        principal_id: 'demo',
        kind: 'user',
      });
      expect((await api().get('/api/v1/me', bridge)).body).toMatchObject({
        principal_id: 'mcp-bridge',
        kind: 'service',
      });
    });

    it('queues a session while no host is enrolled', async () => {
      const res = await api().post('/api/v1/sessions', demo, {
        viewport: { width: 1366, height: 768 },
        capabilities: { camera: true, clipboard: false },
        labels: { team: 'qa' },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`/api/v1/sessions/${res.body.id}`);
      expect(res.body).toMatchObject({
        state: 'queued',
        owner: { principal_id: 'demo', subject: 'demo', display_name: 'Demo User' },
        owner_mode: 'collaborative',
        video_mode: 'roi',
        idle_timeout_sec: 300,
        capabilities: {
          ...DEFAULT_SESSION_CAPABILITIES,
          camera: true,
          clipboard: false,
          browser_input: true,
          file_transfer: true,
        },
        queue: { position: 1, reason: 'no_healthy_hosts' },
        status: { runtime_state: 'not_started', runtime_resume_mode: 'fresh_start' },
        host_id: null,
      });
      s1 = res.body.id;
    });

    it('places the queued session when a host enrols', async () => {
      hostA = new HostDriver(api(), `host-a-${kind}`, { region: 'eu-central', maxSessions: 2 });
      const enrolled = await hostA.enroll(stack.edge.secrets.hostEnrollmentToken);
      expect(enrolled).toMatchObject({
        heartbeat_interval_ms: 1000,
        lost_after_ms: LOST_AFTER_MS,
        jwks_url: `${stack.edge.url}/.well-known/jwks.json`,
        ticket_issuer: stack.edge.url,
        ticket_audience: 'browserpane-relay',
      });
      expect(enrolled.host_credential).toMatch(/^bph_/);
      hostA.keepAlive();
      const session = await api().get(`/api/v1/sessions/${s1}`, demo);
      expect(session.body).toMatchObject({ state: 'starting', host_id: hostA.id, queue: null });
      const desired = await hostA.beat();
      expect(desired.sessions).toEqual([
        {
          session_id: s1,
          desired: 'running',
          grant_generation: 0,
          options: {
            viewport: { width: 1366, height: 768 },
            capabilities: { ...DEFAULT_SESSION_CAPABILITIES, camera: true, clipboard: false },
            owner_mode: 'collaborative',
            video_mode: 'roi',
            idle_timeout_sec: 300,
            labels: { team: 'qa' },
            extensions: [],
            profile_saved: false,
          },
          file_bindings: [],
        },
      ]);
    });

    it('rejects enrolment and heartbeats without the right secrets', async () => {
      const body = {
        name: 'x',
        region: 'eu',
        capacity: { max_sessions: 1 },
        relay_url: 'https://x',
        cert_sha256: 'a'.repeat(64),
        agent_version: '1',
      };
      expect((await api().post('/api/v1/hosts/enroll', 'wrong-token', body)).status).toBe(401);
      expect((await api().post('/api/v1/hosts/enroll', null, body)).status).toBe(401);
      const beat = await api().post(
        `/api/v1/hosts/${hostA.id}/heartbeat`,
        'bph_wrong',
        hostA.body(),
      );
      expect(beat.status).toBe(401);
      expect(beat.body.code).toBe('host_unauthorized');
    });

    it('hides one owner’s sessions from another (404)', async () => {
      for (const [method, path] of [
        ['GET', `/api/v1/sessions/${s1}`],
        ['GET', `/api/v1/sessions/${s1}/status`],
        ['DELETE', `/api/v1/sessions/${s1}`],
        ['POST', `/api/v1/sessions/${s1}/stop`],
        ['POST', `/api/v1/sessions/${s1}/kill`],
        ['POST', `/api/v1/sessions/${s1}/access-tokens`],
        ['POST', `/api/v1/sessions/${s1}/connections/disconnect-all`],
        ['POST', `/api/v1/sessions/${s1}/connections/c1/disconnect`],
        ['POST', `/api/v1/sessions/${s1}/mcp-owner`],
        ['DELETE', `/api/v1/sessions/${s1}/mcp-owner`],
        ['DELETE', `/api/v1/sessions/${s1}/automation-owner`],
      ] as const) {
        const res = await api().request(method, path, { token: demo2 });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.code).toBe('session_not_found');
      }
      const list = await api().get('/api/v1/sessions', demo2);
      expect(list.body.sessions.map((s: { id: string }) => s.id)).not.toContain(s1);
      const mine = await api().get('/api/v1/sessions', demo);
      expect(mine.body.sessions.map((s: { id: string }) => s.id)).toContain(s1);
    });

    it('follows the runtime the host reports: starting → ready', async () => {
      hostA.run(s1, 'starting');
      await hostA.beat();
      expect((await api().get(`/api/v1/sessions/${s1}/status`, demo)).body).toMatchObject({
        state: 'starting',
        runtime_state: 'starting',
      });
      hostA.run(s1, 'running', { display: { width: 1366, height: 768 } });
      hostA.events.push({
        session_id: s1,
        type: 'cdp_attached',
        at: new Date().toISOString(),
        data: { port: 9222 },
      });
      await hostA.beat();
      const status = await api().get(`/api/v1/sessions/${s1}/status`, demo);
      expect(status.body).toMatchObject({
        state: 'ready',
        runtime_state: 'running',
        presence_state: 'empty',
        host: { host_id: hostA.id, relay_url: hostA.relayUrl, status: 'healthy' },
        runtime: {
          reported_state: 'running',
          restarts: 0,
          display: { width: 1366, height: 768 },
          error: null,
        },
        stop_eligibility: { allowed: true, blockers: [] },
      });
      expect(status.body.idle.idle_since).not.toBeNull();
      expect(status.body.events.map((e: { type: string }) => e.type)).toContain('cdp_attached');
    });

    it('shows live connections, counts by role and presence', async () => {
      hostA.connect({
        connection_id: 'c-owner',
        session_id: s1,
        role: 'owner',
        principal: 'demo',
        display_name: 'Demo User',
        client: 'chromium',
      });
      hostA.connect({
        connection_id: 'c-viewer',
        session_id: s1,
        role: 'viewer',
        principal: 'guest',
        display_name: 'Guest',
      });
      hostA.connect({
        connection_id: 'c-rec',
        session_id: s1,
        role: 'recorder',
        principal: 'recording-worker',
        display_name: 'Recorder',
      });
      await hostA.beat();
      const status = await api().get(`/api/v1/sessions/${s1}/status`, demo);
      expect(status.body).toMatchObject({
        state: 'active',
        presence_state: 'connected',
        connection_counts: {
          owner: 1,
          viewer: 1,
          automation: 0,
          recorder: 1,
          total: 3,
          interactive_clients: 2,
          total_clients: 3,
        },
        stop_eligibility: {
          allowed: false,
          blockers: [
            { kind: 'owner_clients', count: 1 },
            { kind: 'viewer_clients', count: 1 },
          ],
        },
        idle: { idle_since: null },
      });
      expect(
        status.body.connections
          .map((c: { host_connection_id: string }) => c.host_connection_id)
          .sort(),
      ).toEqual(['c-owner', 'c-rec', 'c-viewer']);
      // The API's ids are integers, stable across heartbeats while the connection lives.
      const ids = status.body.connections.map((c: { connection_id: number }) => c.connection_id);
      expect(ids.every((id: number) => Number.isInteger(id) && id >= 1)).toBe(true);
      await hostA.beat();
      const again = await api().get(`/api/v1/sessions/${s1}/status`, demo);
      expect(again.body.connections.map((c: { connection_id: number }) => c.connection_id)).toEqual(
        ids,
      );
    });

    it('refuses a safe stop while clients are attached (409 with blockers)', async () => {
      for (const res of [
        await api().post(`/api/v1/sessions/${s1}/stop`, demo),
        await api().delete(`/api/v1/sessions/${s1}`, demo),
      ]) {
        expect(res.status).toBe(409);
        expect(res.body.code).toBe('session_not_stoppable');
        expect(res.body.details.stop_eligibility.blockers).toContainEqual({
          kind: 'owner_clients',
          count: 1,
        });
        // The reference's conflict body: the unchanged session, its blockers in its status.
        expect(res.body.session).toMatchObject({ id: s1, state: 'active' });
        expect(res.body.session.status.stop_eligibility.allowed).toBe(false);
      }
    });

    it('sends disconnect commands until the host acknowledges them', async () => {
      const before = await api().get(`/api/v1/sessions/${s1}/status`, demo);
      const viewer = before.body.connections.find(
        (c: { host_connection_id: string }) => c.host_connection_id === 'c-viewer',
      );
      // By the API's integer id (the host's own id works too).
      const one = await api().post(
        `/api/v1/sessions/${s1}/connections/${viewer.connection_id}/disconnect`,
        demo,
      );
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ session_id: s1, connection_counts: { viewer: 0 } });
      expect(
        (await api().post(`/api/v1/sessions/${s1}/connections/nope/disconnect`, demo)).body.code,
      ).toBe('connection_not_found');
      let desired = await hostA.beat();
      expect(desired.commands).toEqual([
        {
          command_id: one.body.command_id,
          type: 'disconnect',
          session_id: s1,
          connection_id: 'c-viewer',
        },
      ]);
      desired = await hostA.beat();
      expect(desired.commands.map((c) => c.command_id)).toEqual([one.body.command_id]);
      hostA.acked = [one.body.command_id];
      hostA.connections = hostA.connections.filter((c) => c.connection_id !== 'c-viewer');
      desired = await hostA.beat();
      expect(desired.commands).toEqual([]);
      const all = await api().post(`/api/v1/sessions/${s1}/connections/disconnect-all`, demo);
      expect(all.status).toBe(200);
      expect(all.body.connection_counts.total).toBe(0);
      desired = await hostA.beat();
      expect(desired.commands).toEqual([
        { command_id: all.body.command_id, type: 'disconnect_all', session_id: s1 },
      ]);
      hostA.acked = [all.body.command_id];
      await hostA.beat();
      const status = await api().get(`/api/v1/sessions/${s1}/status`, demo);
      expect(status.body.connection_counts).toMatchObject({
        owner: 1,
        viewer: 0,
        recorder: 1,
        total: 2,
      });
    });

    it('mints connect tickets that verify against the served JWKS', async () => {
      const res = await api().post(`/api/v1/sessions/${s1}/access-tokens`, demo, { role: 'owner' });
      expect(res.status).toBe(200);
      const expectedCaps = capabilityList(
        roleCapabilities(
          { ...DEFAULT_SESSION_CAPABILITIES, camera: true, clipboard: false },
          'owner',
        ),
      );
      expect(res.body).toMatchObject({
        token_type: 'session_connect_ticket',
        session_id: s1,
        role: 'owner',
        capabilities: expectedCaps,
        host_id: hostA.id,
        relay_url: hostA.relayUrl,
        cert_sha256: hostA.certSha256,
      });
      ownerTicket = res.body.token;
      const jwks = createRemoteJWKSet(new URL(stack.edge.jwksUrl));
      const { payload, protectedHeader } = await jwtVerify(ownerTicket, jwks, {
        issuer: stack.edge.ticketIssuer,
        audience: 'browserpane-relay',
        algorithms: ['EdDSA'],
      });
      expect(protectedHeader.kid).toBeTruthy();
      expect(payload).toMatchObject({
        sub: 'demo',
        name: 'Demo User',
        sid: s1,
        hid: hostA.id,
        role: 'owner',
        caps: expectedCaps,
        mode: 'collaborative',
      });
      expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(60);
      expect(typeof payload.jti).toBe('string');
      expect(new Date(res.body.expires_at).getTime()).toBe((payload.exp as number) * 1000);

      const viewer = await api().post(`/api/v1/sessions/${s1}/access-tokens`, demo, {
        role: 'viewer',
      });
      expect(viewer.body.capabilities).not.toContain('input');
      expect(viewer.body.capabilities).toContain('tileCache');
      const again = await api().post(`/api/v1/sessions/${s1}/access-tokens`, demo);
      expect(again.body.role).toBe('owner');
      expect((await jwtVerify(again.body.token, jwks)).payload.jti).not.toBe(payload.jti);
    });

    it('has tickets rejected when expired, tampered with or meant for another audience', async () => {
      const jwks = createRemoteJWKSet(new URL(stack.edge.jwksUrl));
      const { payload } = await jwtVerify(ownerTicket, jwks);
      await expect(
        jwtVerify(ownerTicket, jwks, {
          audience: 'browserpane-relay',
          currentDate: new Date(((payload.exp as number) + 1) * 1000),
        }),
      ).rejects.toBeInstanceOf(errors.JWTExpired);
      const [h, p, s] = ownerTicket.split('.') as [string, string, string];
      const forged = Buffer.from(
        JSON.stringify({ ...payload, role: 'owner', sid: '00000000-0000-7000-8000-000000000000' }),
      ).toString('base64url');
      await expect(jwtVerify(`${h}.${forged}.${s}`, jwks)).rejects.toBeInstanceOf(
        errors.JWSSignatureVerificationFailed,
      );
      const flipped = `${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
      await expect(jwtVerify(`${h}.${p}.${flipped}`, jwks)).rejects.toThrow();
      await expect(
        jwtVerify(ownerTicket, jwks, { audience: 'browserpane-api' }),
      ).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed);
      // And the edge refuses user tokens that are not its own API's.
      const me = await api().get('/api/v1/me', ownerTicket);
      expect(me.status).toBe(401);
      expect(me.body.code).toBe('invalid_token');
    });

    it('mints automation tickets only for the automation owner', async () => {
      const denied = await api().post(`/api/v1/sessions/${s1}/access-tokens`, demo, {
        role: 'automation',
      });
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe('automation_owner_required');
      expect((await api().get(`/api/v1/sessions/${s1}`, bridge)).status).toBe(404);
      expect(
        (await api().post(`/api/v1/sessions/${s1}/access-tokens`, bridge, { role: 'automation' }))
          .status,
      ).toBe(404);

      const delegated = await api().post(`/api/v1/sessions/${s1}/automation-owner`, demo, {
        principal_id: 'mcp-bridge',
        display_name: 'MCP bridge',
      });
      expect(delegated.body.automation_owner).toEqual({
        principal_id: 'mcp-bridge',
        display_name: 'MCP bridge',
      });
      expect((await api().get(`/api/v1/sessions/${s1}`, bridge)).status).toBe(200);
      expect(
        (await api().get('/api/v1/sessions', bridge)).body.sessions.map(
          (s: { id: string }) => s.id,
        ),
      ).toContain(s1);
      const ticket = await api().post(`/api/v1/sessions/${s1}/access-tokens`, bridge, {
        role: 'automation',
      });
      expect(ticket.status).toBe(200);
      expect(ticket.body.capabilities).not.toContain('input');
      const owner = await api().post(`/api/v1/sessions/${s1}/access-tokens`, bridge, {
        role: 'owner',
      });
      expect(owner.status).toBe(403);
      // The delegate cannot control the session.
      expect((await api().post(`/api/v1/sessions/${s1}/kill`, bridge)).status).toBe(404);

      const claimed = await api().post(`/api/v1/sessions/${s1}/mcp-owner`, bridge);
      expect(claimed.body.mcp_owner).toEqual({
        principal_id: 'mcp-bridge',
        display_name: 'mcp-bridge',
      });
      expect(
        (
          await api().post(`/api/v1/sessions/${s1}/mcp-owner`, bridge, {
            principal_id: 'someone-else',
          })
        ).status,
      ).toBe(403);
      const status = await api().get(`/api/v1/sessions/${s1}/status`, bridge);
      expect(status.body.automation_owner.principal_id).toBe('mcp-bridge');
      expect(status.body.stop_eligibility.blockers).toContainEqual({
        kind: 'automation_owner',
        count: 1,
      });

      expect(
        (await api().delete(`/api/v1/sessions/${s1}/mcp-owner`, bridge)).body.mcp_owner,
      ).toBeNull();
      expect(
        (await api().delete(`/api/v1/sessions/${s1}/automation-owner`, demo)).body.automation_owner,
      ).toBeNull();
      expect(
        (await api().post(`/api/v1/sessions/${s1}/access-tokens`, bridge, { role: 'automation' }))
          .status,
      ).toBe(404);
    });

    it('queues sessions when the pool is full and promotes them when room appears', async () => {
      const s2 = (await api().post('/api/v1/sessions', demo, {})).body;
      expect(s2).toMatchObject({ state: 'starting', host_id: hostA.id });
      const s3 = (await api().post('/api/v1/sessions', demo2, { region: 'eu-central' })).body;
      const s4 = (await api().post('/api/v1/sessions', demo2, {})).body;
      expect(s3).toMatchObject({
        state: 'queued',
        queue: {
          position: 1,
          reason: 'pool_full',
          dispatch_blocker: 'runtime_capacity',
          cancellable: true,
        },
        status: { runtime_state: 'not_started' },
      });
      expect(s4).toMatchObject({
        state: 'queued',
        queue: { position: 2, reason: 'pool_full', dispatch_blocker: 'earlier_queued_session' },
      });
      const conflict = await api().post(`/api/v1/sessions/${s3.id}/access-tokens`, demo2);
      expect(conflict.status).toBe(409);
      expect(conflict.body).toMatchObject({
        code: 'session_queued',
        details: { queue: { position: 1 } },
      });

      // Room appears: s2 is killed and its runtime goes away.
      hostA.run(s2.id);
      await hostA.beat();
      const killed = await api().post(`/api/v1/sessions/${s2.id}/kill`, demo);
      expect(killed.body).toMatchObject({ state: 'stopping', stop_reason: 'killed' });
      await hostA.beat();
      expect(hostA.desired(s2.id)).toBe('killed');
      hostA.drop(s2.id);
      const desired = await hostA.beat();
      expect((await api().get(`/api/v1/sessions/${s2.id}`, demo)).body).toMatchObject({
        state: 'stopped',
        host_id: null,
      });
      expect(desired.sessions.map((s) => s.session_id).sort()).toEqual([s1, s3.id].sort());
      expect((await api().get(`/api/v1/sessions/${s3.id}`, demo2)).body).toMatchObject({
        state: 'starting',
        host_id: hostA.id,
      });
      expect((await api().get(`/api/v1/sessions/${s4.id}`, demo2)).body.queue).toMatchObject({
        position: 1,
        reason: 'pool_full',
      });

      // A second host enrols: s4 lands there.
      hostB = new HostDriver(api(), `host-b-${kind}`, { region: 'us-east', maxSessions: 1 });
      await hostB.enroll(stack.edge.secrets.hostEnrollmentToken);
      hostB.keepAlive();
      expect((await api().get(`/api/v1/sessions/${s4.id}`, demo2)).body).toMatchObject({
        state: 'starting',
        host_id: hostB.id,
      });
      hostB.run(s4.id);
      await hostB.beat();
      expect((await api().get(`/api/v1/sessions/${s4.id}/status`, demo2)).body.state).toBe('ready');
    });

    it('marks a host that stops heartbeating lost and its sessions runtime_lost', async () => {
      const list = (await api().get('/api/v1/sessions', demo2, { unchecked: false })).body
        .sessions as { id: string; host_id: string }[];
      const onB = list.find((s) => s.host_id === hostB.id);
      expect(onB).toBeTruthy();
      await hostB.stopKeepAlive();
      // Host A's heartbeats notice B is late (reads never do); its session waits to be placed
      // again: queued, with the reason.
      await expect
        .poll(
          async () => (await api().get(`/api/v1/sessions/${onB?.id}/status`, demo2)).body.queue,
          { timeout: 20_000, interval: 150 },
        )
        .toMatchObject({ reason: 'runtime_lost' });
      const status = (await api().get(`/api/v1/sessions/${onB?.id}/status`, demo2)).body;
      expect(status).toMatchObject({
        state: 'queued',
        runtime_state: 'not_started',
        host: null,
        connection_counts: { total: 0 },
        queue: { position: 1, reason: 'runtime_lost' },
      });
      expect(status.events.map((e: { type: string }) => e.type)).toContain('runtime_lost');
      const hosts = await api().get('/api/v1/hosts', stack.edge.secrets.operatorToken);
      expect(hosts.status).toBe(200);
      const byName = Object.fromEntries(
        hosts.body.hosts.map((h: { name: string; status: string }) => [h.name, h.status]),
      );
      expect(byName).toMatchObject({ [hostA.name]: 'healthy', [hostB.name]: 'lost' });
      expect((await api().get('/api/v1/hosts', demo)).status).toBe(401);
      // The host comes back (same name): same identity, new credential, and its session returns to it.
      const oldCredential = hostB.credential;
      const oldId = hostB.id;
      await hostB.enroll(stack.edge.secrets.hostEnrollmentToken);
      expect(hostB.id).toBe(oldId);
      expect(hostB.credential).not.toBe(oldCredential);
      expect(
        (await api().post(`/api/v1/hosts/${hostB.id}/heartbeat`, oldCredential, hostB.body()))
          .status,
      ).toBe(401);
      const desired = await hostB.beat();
      expect(desired.sessions).toEqual([
        expect.objectContaining({ session_id: onB?.id, desired: 'running' }),
      ]);
      hostB.keepAlive();
    });

    it('kills a session with clients attached, and reconnecting restarts it on the same host', async () => {
      const killed = await api().post(`/api/v1/sessions/${s1}/kill`, demo);
      expect(killed.status).toBe(200);
      expect(killed.body.state).toBe('stopping');
      await hostA.beat();
      expect(hostA.desired(s1)).toBe('killed');
      hostA.drop(s1);
      await hostA.beat();
      const stopped = await api().get(`/api/v1/sessions/${s1}/status`, demo);
      expect(stopped.body).toMatchObject({
        state: 'stopped',
        runtime_state: 'stopped',
        connection_counts: { total: 0 },
      });
      const viewer = await api().post(`/api/v1/sessions/${s1}/access-tokens`, demo, {
        role: 'viewer',
      });
      expect(viewer.status).toBe(409);
      expect(viewer.body.code).toBe('session_stopped');

      const ticket = await api().post(`/api/v1/sessions/${s1}/access-tokens`, demo);
      expect(ticket.status).toBe(200);
      expect(ticket.body.host_id).toBe(hostA.id);
      const session = await api().get(`/api/v1/sessions/${s1}`, demo);
      expect(session.body).toMatchObject({
        id: s1,
        state: 'starting',
        host_id: hostA.id,
        stop_reason: null,
        stopped_at: null,
      });
      hostA.run(s1);
      await hostA.beat();
      expect(hostA.desired(s1)).toBe('running');
      expect((await api().get(`/api/v1/sessions/${s1}`, demo)).body.state).toBe('ready');
    });

    it('marks a failed runtime failed, and an owner reconnect restarts it', async () => {
      hostA.run(s1, 'failed', { error: 'chromium exited with code 1', restarts: 3 });
      await hostA.beat();
      const failed = await api().get(`/api/v1/sessions/${s1}/status`, demo);
      expect(failed.body).toMatchObject({
        state: 'failed',
        runtime_state: 'stopped',
        runtime: { error: 'chromium exited with code 1', restarts: 3 },
      });
      expect(hostA.desired(s1)).toBe('stopped');
      // The host cleans the failed runtime up, as told; the session stays failed.
      hostA.drop(s1);
      await hostA.beat();
      expect((await api().get(`/api/v1/sessions/${s1}`, demo)).body).toMatchObject({
        state: 'failed',
        host_id: null,
      });
      const ticket = await api().post(`/api/v1/sessions/${s1}/access-tokens`, demo);
      expect(ticket.status).toBe(200);
      expect(ticket.body.host_id).toBe(hostA.id);
      hostA.run(s1);
      await hostA.beat();
      expect((await api().get(`/api/v1/sessions/${s1}`, demo)).body.state).toBe('ready');
    });

    it('stops sessions left idle, from the scheduled handler', async () => {
      const stoppable = (await api().get('/api/v1/sessions', demo2)).body.sessions as {
        id: string;
        state: string;
      }[];
      for (const s of stoppable.filter((x) => x.state !== 'stopped')) {
        await api().post(`/api/v1/sessions/${s.id}/kill`, demo2);
        hostA.drop(s.id);
        hostB.drop(s.id);
      }
      await hostA.beat();
      await hostB.beat();
      const idle = (await api().post('/api/v1/sessions', demo, { idle_timeout_sec: 1 })).body;
      const placedOn = idle.host_id === hostA.id ? hostA : hostB;
      expect([hostA.id, hostB.id]).toContain(idle.host_id);
      placedOn.run(idle.id);
      await placedOn.beat();
      await new Promise((r) => setTimeout(r, 1300));
      await stack.edge.triggerScheduled();
      const stopping = await api().get(`/api/v1/sessions/${idle.id}`, demo);
      expect(stopping.body).toMatchObject({ state: 'stopping', stop_reason: 'idle_timeout' });
      await placedOn.beat();
      expect(placedOn.desired(idle.id)).toBe('stopped');
      placedOn.drop(idle.id);
      await placedOn.beat();
      const status = await api().get(`/api/v1/sessions/${idle.id}/status`, demo);
      expect(status.body.state).toBe('stopped');
      expect(status.body.events.map((e: { type: string }) => e.type)).toContain('idle_stop');
      // s1 is in use by nobody either, but its timeout is 5 minutes: still running.
      expect((await api().get(`/api/v1/sessions/${s1}`, demo)).body.state).toBe('ready');
    });

    it('keeps placement across an edge restart, and rotates the ticket key', async () => {
      const before = (await api().get(`/api/v1/sessions/${s1}`, demo)).body;
      const oldKid = decodeProtectedHeader(ownerTicket).kid;
      const oldJwks = (await api().get('/.well-known/jwks.json')).body;
      const newKey = await generateEd25519Jwk();
      const stored = JSON.parse(readFileSync(join(stack.dataDir, 'edge-dev-secrets.json'), 'utf8'));
      const { d: _private, ...oldPublic } = JSON.parse(stored.TICKET_SIGNING_KEY);
      // The hosts keep heartbeating through the restart, as host agents do (the beats that meet a
      // stopped edge fail and are retried). A restart slower than the hosts' loss timeout (4 s
      // here; a busy machine takes that long to build and start the worker) does make them lost,
      // as it should, so the restarted edge allows the usual minute.
      await stack.restartEdge({
        TICKET_SIGNING_KEY: newKey,
        TICKET_SIGNING_KEY_PREVIOUS: JSON.stringify([oldPublic]),
        HOST_LOST_AFTER_MS: '60000',
      });
      const after = (await api().get(`/api/v1/sessions/${s1}`, demo)).body;
      expect(after).toMatchObject({ id: s1, state: before.state, host_id: before.host_id });
      const jwks = (await api().get('/.well-known/jwks.json')).body;
      expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([
        JSON.parse(newKey).kid,
        oldKid,
      ]);
      expect(jwks.keys[1]).toEqual(oldJwks.keys[0]);
      const remote = createRemoteJWKSet(new URL(stack.edge.jwksUrl));
      const iat = decodeJwt(ownerTicket).iat as number;
      await expect(
        jwtVerify(ownerTicket, remote, { currentDate: new Date(iat * 1000 + 1000) }),
      ).resolves.toBeTruthy();
      const fresh = await api().post(`/api/v1/sessions/${s1}/access-tokens`, demo);
      expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
      expect(decodeProtectedHeader(fresh.body.token).kid).toBe(JSON.parse(newKey).kid);
      await expect(
        jwtVerify(fresh.body.token, remote, { audience: 'browserpane-relay' }),
      ).resolves.toBeTruthy();
    });
  });
}
