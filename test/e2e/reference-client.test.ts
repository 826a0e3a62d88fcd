import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginDevUser, serviceToken } from '../../edge/test/support/oidc.ts';
import { ReferenceApiError, ReferenceClient } from './support/reference-client.ts';
import { startStackFixture } from './support/stack-fixture.ts';

/**
 * A client written to the reference's frozen v1 contract, unchanged, against the real local stack
 * (edge under workerd, host agent, Chromium): create, list with a label filter, status, tickets,
 * delegate automation and MCP (driving the browser over the automation endpoint), disconnect,
 * stop, kill.
 */
describe('a reference v1 client against the local stack', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let owner: ReferenceClient;
  let bridge: ReferenceClient;
  let sessionId: string;

  beforeAll(async () => {
    fx = await startStackFixture();
    const url = fx.stack.url;
    owner = new ReferenceClient(url, await loginDevUser(url, 'demo', 'demo-demo'));
    const secret = fx.stack.edge.secrets.serviceClients['mcp-bridge'] as string;
    bridge = new ReferenceClient(url, await serviceToken(url, 'mcp-bridge', secret));
  }, 180_000);
  afterAll(() => fx?.stop());

  it('creates a session the way the reference MCP bridge does, and lists it by label', async () => {
    const created = await owner.createSession({
      display_name: 'reference client',
      owner_mode: 'exclusive_browser_owner',
      integration_context: { case: 'REF-1' },
      labels: { suite: 'reference-client' },
    });
    sessionId = created.id;
    expect(created).toMatchObject({
      owner_mode: 'exclusive_browser_owner',
      integration_context: { case: 'REF-1' },
      owner: { subject: 'demo' },
    });
    const listed = await owner.listSessions({ suite: 'reference-client' });
    expect(listed.map((s) => s.id)).toEqual([sessionId]);
    expect(await owner.listSessions({ suite: 'nothing-here' })).toEqual([]);
  });

  it('reports the runtime running, and mints a connect ticket', async () => {
    await expect
      .poll(async () => (await owner.status(sessionId)).runtime_state, { timeout: 60_000 })
      .toBe('running');
    const status = await owner.status(sessionId);
    expect(status).toMatchObject({ exclusive_browser_owner: true, mcp_owner: false });
    const ticket = await owner.accessToken(sessionId);
    expect(ticket).toMatchObject({
      session_id: sessionId,
      token_type: 'session_connect_ticket',
      connect: { auth_type: 'session_connect_ticket' },
    });
    expect(ticket.connect.gateway_url).toMatch(/^https?:\/\//);
  });

  it('delegates to the MCP bridge, which drives the browser and holds MCP ownership', async () => {
    const delegated = await owner.setAutomationOwner(sessionId, {
      client_id: 'mcp-bridge',
      display_name: 'MCP bridge',
    });
    expect(delegated.automation_delegate).toMatchObject({ client_id: 'mcp-bridge' });
    // The bridge's sequence (§4.16): read the session, mint automation access, claim MCP.
    expect((await bridge.getSession(sessionId)).id).toBe(sessionId);
    const access = await bridge.automationAccess(sessionId);
    expect(access.automation.protocol).toBe('chrome_devtools_protocol');
    const browser = await chromium.connectOverCDP(access.automation.endpoint_url);
    try {
      const page = browser.contexts()[0]?.pages()[0];
      expect(page).toBeDefined();
      expect(await page?.evaluate(() => 6 * 7)).toBe(42);
    } finally {
      await browser.close();
    }
    const automation = bridge.withAutomationToken(access.token);
    const claimed = await automation.claimMcpOwner(access.automation.mcp_owner_path, 1280, 720);
    expect(claimed.ok).toBe(true);
    expect((await owner.status(sessionId)).mcp_owner).toBe(true);
    // While automation owns it, a safe stop is refused with the session and its blockers.
    const refused = await owner.stop(sessionId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ReferenceApiError);
    expect((refused as ReferenceApiError).status).toBe(409);
    expect((refused as ReferenceApiError).message).toMatch(/in use/);
    await automation.releaseMcpOwner(access.automation.mcp_owner_path);
    expect((await owner.clearAutomationOwner(sessionId)).automation_delegate).toBeNull();
    await expect(bridge.getSession(sessionId)).rejects.toMatchObject({ status: 404 });
  });

  it('disconnects, stops and kills', async () => {
    const status = await owner.disconnectAll(sessionId);
    expect(status.connection_counts.total_clients).toBe(0);
    const stopped = await owner.stop(sessionId);
    expect(['stopping', 'stopped']).toContain(stopped.state);
    await expect
      .poll(async () => (await owner.getSession(sessionId)).state, { timeout: 30_000 })
      .toBe('stopped');
    const killed = await owner.kill(sessionId);
    expect(killed.state).toBe('stopped');
    expect((await owner.status(sessionId)).runtime_state).toBe('stopped');
  });
});
