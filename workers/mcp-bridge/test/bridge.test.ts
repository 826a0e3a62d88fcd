import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CdpChromium, startCdpChromium } from '../../../test/support/cdp-chromium.ts';
import { bridgeConfig, createLogger, type RunningBridge, startBridge } from '../src/index.ts';
import { startFakeEdge } from './helpers/fake-edge.ts';

const PAGE = `data:text/html,<title>Bridge test</title><button onclick="document.title='clicked'">Press me</button>`;
const DELAY_MS = 700;

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

async function connect(url: string, kind: 'streamable' | 'sse', token: string): Promise<Client> {
  const client = new Client({ name: 'bridge-test', version: '1.0.0' });
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  await client.connect(
    kind === 'streamable'
      ? new StreamableHTTPClientTransport(new URL(url), { requestInit })
      : new SSEClientTransport(new URL(url), { requestInit }),
  );
  return client;
}

/**
 * The bridge against a fake edge and a real Chromium: tool listing and policy, control-session
 * authorization, Playwright MCP driving the browser over both transports, the supervised delay,
 * lazy MCP claims, revocation, and the HTTP guards.
 */
describe('mcp-bridge', () => {
  let browser: CdpChromium;
  let edge: Awaited<ReturnType<typeof startFakeEdge>>;
  let bridge: RunningBridge;
  let observer: Browser;
  const clients: Client[] = [];
  const logs: string[] = [];
  let alice: string;

  const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  const control = async (sessionId: string, token?: string) =>
    fetch(`${bridge.url}/control-session`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ session_id: sessionId }),
    });
  const pageTitle = () => observer.contexts()[0]?.pages()[0]?.title();

  beforeAll(async () => {
    browser = await startCdpChromium();
    edge = await startFakeEdge({ cdpWsUrl: browser.wsUrl, clientSecret: 'bridge-secret' });
    bridge = await startBridge(
      bridgeConfig({
        apiUrl: edge.url,
        clientSecret: 'bridge-secret',
        supervisedDelayMs: DELAY_MS,
        statusPollMs: 200,
        allowedOrigins: ['http://console.test'],
      }),
      createLogger('info', (line) => logs.push(line)),
    );
    alice = await edge.personToken('alice');
    observer = await chromium.connectOverCDP(browser.httpUrl);
    edge.sessions.set('s-1', {
      id: 's-1',
      owner: 'alice',
      automationOwner: null,
      mcpOwner: null,
      watchers: 0,
    });
  });

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await observer?.close().catch(() => undefined);
    await bridge?.close();
    await edge?.close();
    await browser?.close();
  });

  it('adopts a session only when its owner proves who they are and delegated it', async () => {
    expect((await control('s-1')).status).toBe(401);
    expect((await control('s-1', 'not-a-jwt')).status).toBe(401);
    const notDelegated = await control('s-1', alice);
    expect(notDelegated.status).toBe(403);
    expect(((await notDelegated.json()) as { error: { code: string } }).error.code).toBe(
      'not_delegated',
    );
    (edge.sessions.get('s-1') as { mcpOwner: string | null }).mcpOwner = 'mcp-bridge';
    const mallory = await control('s-1', await edge.personToken('mallory'));
    expect(mallory.status).toBe(404);
    const ok = await control('s-1', alice);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      session_id: 's-1',
      state: 'active',
      mcp_url: `${bridge.url}/mcp`,
      sse_url: `${bridge.url}/sse`,
    });
    // Health shows nothing private: no session, no caller.
    const health = (await (await fetch(`${bridge.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toEqual({ ok: true, version: expect.any(String), principal_id: 'mcp-bridge' });
  });

  it('lists the allowed Playwright tools (and its own) to the session’s owner', async () => {
    const client = await connect(`${bridge.url}/mcp`, 'streamable', alice);
    clients.push(client);
    const names = (await client.listTools()).tools.map((t) => t.name);
    for (const tool of [
      'browser_navigate',
      'browser_click',
      'browser_type',
      'browser_press_key',
      'browser_snapshot',
      'browser_take_screenshot',
      'browser_evaluate',
      'browser_tabs',
      'browser_wait_for',
      'browserpane_session',
    ])
      expect(names).toContain(tool);
    for (const tool of [
      'browser_run_code_unsafe',
      'browser_close',
      'browser_file_upload',
      'browser_resize',
    ])
      expect(names).not.toContain(tool);
    const refused = await call(client, 'browser_run_code_unsafe', { code: 'async () => 1' });
    expect(text(refused)).toMatch(/^tool_not_allowed:/);
  });

  it('navigates, snapshots and clicks over Streamable HTTP', async () => {
    const client = clients[0] as Client;
    const nav = await call(client, 'browser_navigate', { url: PAGE });
    expect(nav.isError).toBeFalsy();
    expect(text(nav)).toContain('Page Title: Bridge test');
    const snap = text(await call(client, 'browser_snapshot'));
    const ref = /button "Press me" \[ref=(\w+)\]/.exec(snap)?.[1];
    expect(ref).toBeDefined();
    const click = await call(client, 'browser_click', { element: 'Press me button', target: ref });
    expect(click.isError).toBeFalsy();
    await expect.poll(pageTitle).toBe('clicked');
    expect(edge.tickets).toBeGreaterThan(0);
  });

  it('does the same over legacy SSE', async () => {
    const client = await connect(`${bridge.url}/sse`, 'sse', alice);
    clients.push(client);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('browser_click');
    await call(client, 'browser_navigate', { url: PAGE });
    expect(await pageTitle()).toBe('Bridge test');
    const ref = /button "Press me" \[ref=(\w+)\]/.exec(
      text(await call(client, 'browser_snapshot')),
    )?.[1];
    await call(client, 'browser_click', { element: 'Press me button', target: ref });
    await expect.poll(pageTitle).toBe('clicked');
  });

  it('slows each step down while people watch', async () => {
    const client = clients[0] as Client;
    const timed = async () => {
      const t0 = performance.now();
      const result = await call(client, 'browser_tabs', { action: 'list' });
      expect(result.isError).toBeFalsy();
      return performance.now() - t0;
    };
    await timed();
    const unwatched = await timed();
    (edge.sessions.get('s-1') as { watchers: number }).watchers = 2;
    const watched = await timed();
    expect(watched).toBeGreaterThanOrEqual(DELAY_MS);
    expect(unwatched).toBeLessThan(DELAY_MS);
    const info = JSON.parse(text(await call(client, 'browserpane_session')));
    expect(info).toMatchObject({
      session_id: 's-1',
      watchers: 2,
      supervised: true,
      supervised_delay_ms: DELAY_MS,
    });
    (edge.sessions.get('s-1') as { watchers: number }).watchers = 0;
  });

  it('claims MCP ownership lazily on a session-bound endpoint when it is only the automation owner', async () => {
    edge.sessions.set('s-2', {
      id: 's-2',
      owner: 'bob',
      automationOwner: 'mcp-bridge',
      mcpOwner: null,
      watchers: 0,
    });
    const client = await connect(
      `${bridge.url}/sessions/s-2/mcp`,
      'streamable',
      await edge.personToken('bob'),
    );
    clients.push(client);
    const result = await call(client, 'browser_tabs', { action: 'list' });
    expect(result.isError).toBeFalsy();
    expect(edge.sessions.get('s-2')?.mcpOwner).toBe('mcp-bridge');
    expect(edge.calls).toContainEqual({
      method: 'POST',
      path: '/api/v1/sessions/s-2/mcp-owner',
      body: { display_name: 'MCP bridge' },
    });
    await expect(
      connect(`${bridge.url}/sessions/s-9/mcp`, 'streamable', await edge.personToken('bob')),
    ).rejects.toThrow(/session_not_found/);
  });

  it('lets the principal the owner delegated to drive the session, and logs who calls', async () => {
    edge.sessions.set('s-3', {
      id: 's-3',
      owner: 'carol',
      automationOwner: 'agent-x',
      mcpOwner: 'mcp-bridge',
      watchers: 0,
    });
    const agent = await edge.personToken('agent-x');
    const client = await connect(`${bridge.url}/sessions/s-3/mcp`, 'streamable', agent);
    clients.push(client);
    expect((await call(client, 'browser_tabs', { action: 'list' })).isError).toBeFalsy();
    const line = logs.find((l) => l.includes('"tool":"browser_tabs"') && l.includes('agent-x'));
    expect(line).toContain('"principal":"agent-x"');
    expect(line).toContain('"sessionId":"s-3"');
    // Callers are logged by principal, never by token.
    expect(logs.join('\n')).not.toContain(agent);
    expect(logs.join('\n')).not.toContain(alice);
  });

  it('refuses anonymous and wrong-user calls on every route', async () => {
    const mallory = await edge.personToken('mallory');
    const as = (token: string | null): Record<string, string> =>
      token ? { authorization: `Bearer ${token}` } : {};
    const init = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-03-26',
        capabilities: {},
        clientInfo: { name: 'x', version: '1' },
      },
    });
    const json = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const routes: [string, string, string | undefined][] = [
      ['GET', '/control-session', undefined],
      ['PUT', '/control-session', JSON.stringify({ session_id: 's-1' })],
      ['DELETE', '/control-session', undefined],
      ['POST', '/mcp', init],
      ['GET', '/sse', undefined],
      ['POST', '/messages?sessionId=x', init],
      ['POST', '/sessions/s-1/mcp', init],
      ['GET', '/sessions/s-1/sse', undefined],
      ['POST', '/sessions/s-1/messages?sessionId=x', init],
    ];
    const seen: string[] = [];
    for (const [method, path, body] of routes) {
      for (const [who, token] of [
        ['anonymous', null],
        ['garbage', 'not-a-jwt'],
        ['mallory', mallory],
      ] as const) {
        const res = await fetch(`${bridge.url}${path}`, {
          method,
          headers: { ...json, ...as(token) },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        const text = await res.text();
        seen.push(`${who} ${method} ${path} → ${res.status}`);
        if (who !== 'mallory') expect(res.status, `${who} ${method} ${path}: ${text}`).toBe(401);
        else if (path === '/control-session' && method === 'GET') {
          // Mallory may ask; she learns of no session.
          expect(JSON.parse(text).session_id, text).toBeNull();
        } else expect(res.status, `mallory ${method} ${path}: ${text}`).toBe(404);
        expect(text).not.toContain('s-1"');
      }
    }
    expect(seen.length).toBe(routes.length * 3);
    // Nor can she use a connection Alice opened, even knowing its id.
    const res = await fetch(`${bridge.url}/mcp`, {
      method: 'POST',
      headers: { ...json, ...as(alice) },
      body: init,
    });
    const mcpSession = res.headers.get('mcp-session-id') as string;
    await res.body?.cancel();
    const hijack = await fetch(`${bridge.url}/mcp`, {
      method: 'POST',
      headers: { ...json, ...as(mallory), 'mcp-session-id': mcpSession },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(hijack.status).toBe(404);
  });

  it('is cut off once its MCP ownership is cleared', async () => {
    const client = clients[0] as Client;
    (edge.sessions.get('s-1') as { mcpOwner: string | null }).mcpOwner = null;
    const minted = edge.tickets;
    const result = await call(client, 'browser_navigate', { url: PAGE });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^session_revoked:/);
    expect(edge.tickets).toBe(minted);
    const info = JSON.parse(text(await call(client, 'browserpane_session')));
    expect(info).toMatchObject({ session_id: 's-1', state: 'revoked', cdp_attachments: 0 });
  });

  it('guards Host, Origin and routes, and answers bad input with the error shape', async () => {
    // fetch cannot set Host: a raw request, as a DNS-rebinding page would arrive.
    const wrongHost = await new Promise<number>((resolve, reject) => {
      const req = request(`${bridge.url}/health`, { headers: { host: 'evil.test' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(wrongHost).toBe(403);
    const preflight = await fetch(`${bridge.url}/control-session`, {
      method: 'OPTIONS',
      headers: { origin: 'http://console.test', 'access-control-request-method': 'PUT' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://console.test');
    const foreign = await fetch(`${bridge.url}/health`, {
      headers: { origin: 'http://evil.test' },
    });
    expect(foreign.status).toBe(403);
    const bad = await fetch(`${bridge.url}/control-session`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'bad_request' } });
    expect((await fetch(`${bridge.url}/nope`)).status).toBe(404);
    const stray = await fetch(`${bridge.url}/messages?sessionId=nope`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}` },
      body: '{}',
    });
    expect(stray.status).toBe(404);
  });
});
