import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CdpChromium, startCdpChromium } from '../../../test/support/cdp-chromium.ts';
import { bridgeConfig, type RunningBridge, silentLogger, startBridge } from '../src/index.ts';
import { startFakeEdge } from './helpers/fake-edge.ts';

const PAGE = `data:text/html,<title>Bridge test</title><button onclick="document.title='clicked'">Press me</button>`;
const DELAY_MS = 700;

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

async function connect(url: string, kind: 'streamable' | 'sse'): Promise<Client> {
  const client = new Client({ name: 'bridge-test', version: '1.0.0' });
  await client.connect(
    kind === 'streamable'
      ? new StreamableHTTPClientTransport(new URL(url))
      : new SSEClientTransport(new URL(url)),
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
      silentLogger,
    );
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

  it('lists the allowed Playwright tools (and its own) before any session is delegated', async () => {
    const client = await connect(`${bridge.url}/mcp`, 'streamable');
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
    const none = await call(client, 'browser_navigate', { url: PAGE });
    expect(none.isError).toBe(true);
    expect(text(none)).toMatch(/^no_control_session:/);
    const refused = await call(client, 'browser_run_code_unsafe', { code: 'async () => 1' });
    expect(text(refused)).toMatch(/^tool_not_allowed:/);
  });

  it('adopts a session only when its owner proves who they are and delegated it', async () => {
    expect((await control('s-1')).status).toBe(401);
    expect((await control('s-1', 'not-a-jwt')).status).toBe(401);
    const notDelegated = await control('s-1', await edge.personToken('alice'));
    expect(notDelegated.status).toBe(403);
    expect(((await notDelegated.json()) as { error: { code: string } }).error.code).toBe(
      'not_delegated',
    );
    (edge.sessions.get('s-1') as { mcpOwner: string | null }).mcpOwner = 'mcp-bridge';
    expect((await control('s-1', await edge.personToken('mallory'))).status).toBe(403);
    const ok = await control('s-1', await edge.personToken('alice'));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      session_id: 's-1',
      state: 'active',
      mcp_url: `${bridge.url}/mcp`,
      sse_url: `${bridge.url}/sse`,
    });
    const health = (await (await fetch(`${bridge.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, principal_id: 'mcp-bridge', control_session: 's-1' });
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
    const client = await connect(`${bridge.url}/sse`, 'sse');
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
    const client = await connect(`${bridge.url}/sessions/s-2/mcp`, 'streamable');
    clients.push(client);
    const result = await call(client, 'browser_tabs', { action: 'list' });
    expect(result.isError).toBeFalsy();
    expect(edge.sessions.get('s-2')?.mcpOwner).toBe('mcp-bridge');
    expect(edge.calls).toContainEqual({
      method: 'POST',
      path: '/api/v1/sessions/s-2/mcp-owner',
      body: { display_name: 'MCP bridge' },
    });
    const unknown = await connect(`${bridge.url}/sessions/s-9/mcp`, 'streamable');
    clients.push(unknown);
    expect(text(await call(unknown, 'browser_tabs', { action: 'list' }))).toMatch(
      /^not_delegated:/,
    );
  });

  it('is cut off once its MCP ownership is cleared', async () => {
    const client = clients[0] as Client;
    (edge.sessions.get('s-1') as { mcpOwner: string | null }).mcpOwner = null;
    const minted = edge.tickets;
    const result = await call(client, 'browser_navigate', { url: PAGE });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^session_revoked:/);
    expect(edge.tickets).toBe(minted);
    const health = (await (await fetch(`${bridge.url}/health`)).json()) as {
      sessions: { session_id: string; state: string; cdp_attachments: number }[];
    };
    expect(health.sessions.find((s) => s.session_id === 's-1')).toMatchObject({
      state: 'revoked',
      cdp_attachments: 0,
    });
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
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'bad_request' } });
    expect((await fetch(`${bridge.url}/nope`)).status).toBe(404);
    const stray = await fetch(`${bridge.url}/messages?sessionId=nope`, {
      method: 'POST',
      body: '{}',
    });
    expect(stray.status).toBe(404);
  });
});
