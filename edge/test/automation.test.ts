import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdpGatewayUrl } from '../src/services/tickets.ts';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser, serviceToken } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

/**
 * Automation on governed sessions: the CDP gateway URL in automation tickets, delegation and its
 * revocation (clearing or replacing an owner cuts its live CDP attachments), and the viewport an
 * MCP owner may set when it is first to arrive.
 */
describe('automation ownership', () => {
  let stack: Stack;
  let demo: string;
  let bridge: string;
  let host: HostDriver;
  let sid: string;
  const api = () => stack.api;
  const path = (rest = '') => `/api/v1/sessions/${sid}${rest}`;

  beforeAll(async () => {
    stack = await startStack('pglite', { vars: { HOST_HEARTBEAT_INTERVAL_MS: '1000' } });
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    bridge = await serviceToken(
      stack.edge.url,
      'mcp-bridge',
      stack.edge.secrets.serviceClients['mcp-bridge'] as string,
    );
    host = new HostDriver(api(), 'host-auto', { maxSessions: 4 });
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
    host.keepAlive();
    sid = (await api().post('/api/v1/sessions', demo, {})).body.id;
    host.run(sid);
    await host.beat();
  });

  afterAll(async () => {
    await host?.stopKeepAlive();
    await stack?.stop();
  });

  it('derives the gateway URL from the relay URL', () => {
    const id = '01970000-0000-7000-8000-000000000000';
    expect(cdpGatewayUrl('https://relay.example:4443', id, 'a.b+c')).toBe(
      `https://relay.example:4443/sessions/${id}/cdp?ticket=a.b%2Bc`,
    );
    expect(cdpGatewayUrl('http://127.0.0.1:4480', id, 't')).toBe(
      `http://127.0.0.1:4480/sessions/${id}/cdp?ticket=t`,
    );
    expect(cdpGatewayUrl('wss://relay.example/prefix/', id, 't')).toBe(
      `https://relay.example/prefix/sessions/${id}/cdp?ticket=t`,
    );
  });

  it('lets the owner delegate to itself and answers automation tickets with the CDP gateway URL', async () => {
    const owner = await api().post(path('/access-tokens'), demo, { role: 'owner' });
    expect(owner.status).toBe(200);
    expect(owner.body.cdp_url).toBeUndefined();
    expect((await api().post(path('/access-tokens'), demo, { role: 'automation' })).status).toBe(
      403,
    );
    await api().post(path('/automation-owner'), demo, { principal_id: 'demo' });
    const ticket = await api().post(path('/access-tokens'), demo, { role: 'automation' });
    expect(ticket.status).toBe(200);
    expect(ticket.headers.get('cache-control')).toBe('no-store');
    expect(ticket.body.cdp_url).toBe(
      `${host.relayUrl}/sessions/${sid}/cdp?ticket=${encodeURIComponent(ticket.body.token)}`,
    );
    expect(decodeJwt(ticket.body.token)).toMatchObject({ role: 'automation', sid, sub: 'demo' });
  });

  it('cuts the CDP attachments of an automation owner that is replaced, and of one that is cleared', async () => {
    host.connect({
      connection_id: 'cdp-demo',
      session_id: sid,
      role: 'automation',
      principal: 'demo',
      display_name: 'Demo User',
      client: 'cdp',
    });
    await host.beat();
    const replaced = await api().post(path('/automation-owner'), demo, {
      principal_id: 'mcp-bridge',
      display_name: 'MCP bridge',
    });
    expect(replaced.body.automation_owner.principal_id).toBe('mcp-bridge');
    const cut = await host.beat();
    expect(cut.commands).toEqual([
      expect.objectContaining({ type: 'disconnect', session_id: sid, connection_id: 'cdp-demo' }),
    ]);
    host.acked = cut.commands.map((c) => c.command_id);
    host.connections = [];
    await host.beat();
    host.acked = [];

    host.connect({
      connection_id: 'cdp-bridge',
      session_id: sid,
      role: 'automation',
      principal: 'mcp-bridge',
      display_name: 'MCP bridge',
      client: 'cdp',
    });
    await host.beat();
    // Still the MCP owner: clearing only the automation delegation keeps its attachment.
    expect((await api().post(path('/mcp-owner'), bridge)).status).toBe(200);
    await api().delete(path('/automation-owner'), demo);
    expect((await host.beat()).commands).toEqual([]);
    expect((await api().post(path('/access-tokens'), bridge, { role: 'automation' })).status).toBe(
      200,
    );

    const cleared = await api().delete(path('/mcp-owner'), demo);
    expect(cleared.body.mcp_owner).toBeNull();
    const after = await host.beat();
    expect(after.commands).toEqual([
      expect.objectContaining({ type: 'disconnect', connection_id: 'cdp-bridge' }),
    ]);
    host.acked = after.commands.map((c) => c.command_id);
    host.connections = [];
    await host.beat();
    host.acked = [];
    expect((await api().post(path('/access-tokens'), bridge, { role: 'automation' })).status).toBe(
      404,
    );
    const events = (await api().get(path('/status'), demo)).body.events.map(
      (e: { type: string }) => e.type,
    );
    expect(events).toEqual(expect.arrayContaining(['mcp_owner_cleared', 'disconnect_requested']));
  });

  it('lets an MCP owner claim again and size the display only while no person is connected', async () => {
    await api().post(path('/mcp-owner'), demo, {
      principal_id: 'mcp-bridge',
      display_name: 'MCP bridge',
    });
    host.connect({
      connection_id: 'c-person',
      session_id: sid,
      role: 'owner',
      principal: 'demo',
      display_name: 'Demo User',
    });
    await host.beat();
    const ignored = await api().post(path('/mcp-owner'), bridge, {
      viewport: { width: 1600, height: 900 },
    });
    expect(ignored.status).toBe(200);
    expect(ignored.body.viewport).toEqual({ width: 1280, height: 720 });

    host.connections = host.connections.filter((c) => c.role !== 'owner');
    await host.beat();
    const applied = await api().post(path('/mcp-owner'), bridge, {
      viewport: { width: 1600, height: 900 },
    });
    expect(applied.body.viewport).toEqual({ width: 1600, height: 900 });
    expect(applied.body.mcp_owner).toEqual({
      principal_id: 'mcp-bridge',
      display_name: 'MCP bridge',
    });
    const desired = await host.beat();
    expect(desired.sessions.find((s) => s.session_id === sid)?.options.viewport).toEqual({
      width: 1600,
      height: 900,
    });
    const events = (await api().get(path('/status'), demo)).body.events;
    expect(events.find((e: { type: string }) => e.type === 'mcp_viewport_ignored')?.data).toEqual({
      viewport: { width: 1600, height: 900 },
      reason: 'people_connected',
      people: 1,
    });
    expect(events.map((e: { type: string }) => e.type)).toContain('mcp_viewport_set');

    const bad = await api().post(
      path('/mcp-owner'),
      bridge,
      {
        viewport: { width: 10, height: 900 },
      },
      { unchecked: true },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    // An MCP owner claims only for itself.
    expect(
      (await api().post(path('/mcp-owner'), bridge, { principal_id: 'someone-else' })).status,
    ).toBe(403);
  });

  it('names the MCP bridge in the console configuration when one is configured', async () => {
    expect((await api().get('/auth-config.json')).body.mcp_bridge_url).toBeUndefined();
    await host.stopKeepAlive();
    await stack.restartEdge({ MCP_BRIDGE_URL: 'http://127.0.0.1:8931/' });
    expect((await api().get('/auth-config.json')).body.mcp_bridge_url).toBe(
      'http://127.0.0.1:8931',
    );
  });
});
