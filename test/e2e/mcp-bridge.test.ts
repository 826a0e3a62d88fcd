import type { SessionStatus } from '@browserpane/api';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../deploy/local/stack.ts';
import type { RunningBridge } from '../../workers/mcp-bridge/src/index.ts';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  liveViewPixel as pixelAt,
  signIn,
  startSession,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { colourSwitchPage, PAGES, startTestSite } from './support/test-site.ts';

const DELAY_MS = 1500;
const BLUE = [30, 90, 200];
const ORANGE = [240, 140, 20];

PAGES['/mcp'] = colourSwitchPage({
  title: 'MCP test',
  from: BLUE,
  to: ORANGE,
  button: 'Press me',
  clickedTitle: 'Pressed',
});

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

type Status = SessionStatus;

/**
 * The MCP bridge end to end: a person delegates their live session from the console, the SDK's
 * MCP client drives it over Streamable HTTP and over SSE (Playwright MCP through the CDP
 * gateway), each step waits while the person watches, and revoking the MCP owner cuts it off.
 */
describe('MCP bridge: an MCP client drives a delegated session', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let stack: LocalStack;
  let _dataDir: string;
  let bridge: RunningBridge;
  let site: Awaited<ReturnType<typeof startTestSite>>;
  let browser: Browser & { cleanup(): void };
  let person: Page;
  let observer: Browser;
  let token: string;
  let sessionId: string;
  const clients: Client[] = [];

  /** The person's own OIDC token: every bridge route but /health needs one (or the operator's). */
  const asPerson = () => ({ authorization: `Bearer ${token}` });
  const status = async (): Promise<Status> => {
    const res = await fetch(`${stack.url}/api/v1/sessions/${sessionId}/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await res.json()) as Status;
  };
  const call = async (client: Client, name: string, args: Record<string, unknown> = {}) => {
    const t0 = performance.now();
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    return { result, ms: performance.now() - t0 };
  };
  /** The remote page, seen directly on loopback DevTools (an observer, not through the gateway). */
  const remotePage = (): Page => {
    const pages = observer.contexts().flatMap((c) => c.pages());
    return pages.find((p) => p.url().startsWith(site.url)) ?? (pages[0] as Page);
  };
  const liveViewPixel = (x: number, y: number) => pixelAt(person, remotePage(), x, y);
  const pressButton = async (client: Client) => {
    const snapshot = text((await call(client, 'browser_snapshot')).result);
    const ref = /button "Press me" \[ref=(\w+)\]/.exec(snapshot)?.[1];
    expect(ref, snapshot).toBeDefined();
    return call(client, 'browser_click', { element: 'Press me button', target: ref });
  };

  beforeAll(async () => {
    site = await startTestSite();
    fx = await startStackFixture({
      mcpBridge: { port: 0, supervisedDelayMs: DELAY_MS, statusPollMs: 500 },
      sites: [site.url],
    });
    stack = fx.stack;
    _dataDir = fx.dataDir;
    bridge = stack.mcpBridge as RunningBridge;
    browser = await launchClientBrowser();
    person = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    await signIn(person, stack.url);
    sessionId = await startSession(person);
    token = await person.evaluate(
      () => JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
    );
    const port = stack.host?.sessions.live(sessionId)?.cdpPort();
    observer = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await observer?.close().catch(() => undefined);
    await browser?.close();
    // The session's browser keeps connections to the test site open: stop it first.
    await fx?.stop();
    await site?.close();
  });

  it('the person delegates the session from the console and the bridge adopts it', async () => {
    await person.click('[data-testid=delegate-mcp]', { timeout: 20_000 });
    await person.waitForSelector('[data-testid=revoke-mcp]');
    await expect
      .poll(
        async () =>
          (await (
            await fetch(`${bridge.url}/control-session`, { headers: asPerson() })
          ).json()) as object,
      )
      .toMatchObject({ session_id: sessionId, state: 'active', mcp_url: `${bridge.url}/mcp` });
    expect((await status()).mcp_owner_principal?.principal_id).toBe(bridge.principalId);
  });

  it('Streamable HTTP: lists tools, navigates and clicks — slowed down while the person watches', async () => {
    const client = new Client({ name: 'e2e-streamable', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${bridge.url}/mcp`), {
        requestInit: { headers: asPerson() },
      }),
    );
    clients.push(client);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'browser_navigate',
        'browser_click',
        'browser_snapshot',
        'browser_type',
      ]),
    );
    expect(names).not.toContain('browser_run_code_unsafe');

    const nav = await call(client, 'browser_navigate', { url: `${site.url}/mcp` });
    expect(nav.result.isError, text(nav.result)).toBeFalsy();
    expect(text(nav.result)).toContain('Page Title: MCP test');
    expect(nav.ms).toBeGreaterThanOrEqual(DELAY_MS);
    await expect.poll(() => liveViewPixel(240, 160), { timeout: 20_000 }).toEqual(BLUE);

    const click = await pressButton(client);
    expect(click.result.isError, text(click.result)).toBeFalsy();
    expect(click.ms).toBeGreaterThanOrEqual(DELAY_MS);
    expect(await remotePage().title()).toBe('Pressed');
    await expect.poll(() => liveViewPixel(240, 160), { timeout: 20_000 }).toEqual(ORANGE);

    await expect
      .poll(async () => (await status()).automation_connections)
      .toEqual([expect.objectContaining({ principal: bridge.principalId, client: 'cdp' })]);
  });

  it('legacy SSE: lists tools, navigates and clicks', async () => {
    const client = new Client({ name: 'e2e-sse', version: '1.0.0' });
    await client.connect(
      new SSEClientTransport(new URL(`${bridge.url}/sse`), {
        requestInit: { headers: asPerson() },
      }),
    );
    clients.push(client);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('browser_click');
    const nav = await call(client, 'browser_navigate', { url: `${site.url}/mcp` });
    expect(nav.result.isError, text(nav.result)).toBeFalsy();
    expect(await remotePage().title()).toBe('MCP test');
    const click = await pressButton(client);
    expect(click.result.isError, text(click.result)).toBeFalsy();
    expect(await remotePage().title()).toBe('Pressed');
  });

  it('stops slowing steps down once nobody watches', async () => {
    await person.close();
    await expect
      .poll(
        async () => {
          const control = (await (
            await fetch(`${bridge.url}/control-session`, { headers: asPerson() })
          ).json()) as { session_id: string; watchers: number };
          return control.session_id === sessionId ? control.watchers : undefined;
        },
        { timeout: 20_000 },
      )
      .toBe(0);
    const client = clients[0] as Client;
    const tabs = await call(client, 'browser_tabs', { action: 'list' });
    expect(tabs.result.isError).toBeFalsy();
    expect(tabs.ms).toBeLessThan(DELAY_MS);
  });

  it('sizes the running display to the viewport the MCP owner asks for while nobody watches', async () => {
    const secret = stack.edge.secrets.serviceClients['mcp-bridge'] as string;
    const tokenRes = await fetch(`${stack.url}/dev-oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`mcp-bridge:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const { access_token: bridgeToken } = (await tokenRes.json()) as { access_token: string };
    const res = await fetch(`${stack.url}/api/v1/sessions/${sessionId}/mcp-owner`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bridgeToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ viewport: { width: 1024, height: 640 } }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { viewport: object }).viewport).toEqual({
      width: 1024,
      height: 640,
    });
    // the host follows on its next heartbeat: the X display and the page's window change size
    const live = stack.host?.sessions.live(sessionId);
    await expect
      .poll(() => live?.display(), { timeout: 20_000 })
      .toEqual({ width: 1024, height: 640 });
    // the window follows the display a moment later (it was 1280 wide before)
    await expect
      .poll(() => remotePage().evaluate(() => window.innerWidth), { timeout: 10_000 })
      .toSatisfy((w: number) => w >= 1024 && w <= 1025);
    await expect
      .poll(async () => (await status()).events.map((e) => e.type), { timeout: 20_000 })
      .toContain('viewport_applied');
  });

  it('clearing the MCP owner cuts the bridge off', async () => {
    const res = await fetch(`${stack.url}/api/v1/sessions/${sessionId}/mcp-owner`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    for (const client of clients) {
      const after = await call(client, 'browser_navigate', { url: `${site.url}/` });
      expect(after.result.isError).toBe(true);
      expect(text(after.result)).toMatch(/^session_revoked:/);
    }
    await expect
      .poll(async () => (await status()).automation_connections, { timeout: 15_000 })
      .toEqual([]);
    const types = (await status()).events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['mcp_owner_cleared', 'cdp_detached']));
    expect(await remotePage().title()).toBe('Pressed');
  });
});
