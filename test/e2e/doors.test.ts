import { CLOSE_CODES, type Role } from '@browserpane/protocol';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../deploy/local/stack.ts';
import { loginDevUser } from '../../edge/test/support/oidc.ts';
import { NodeClient } from '../../host-pool/test/support/node-client.ts';
import type { RunningBridge } from '../../workers/mcp-bridge/src/index.ts';
import { startStackFixture } from './support/stack-fixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every door checks who knocks, through the real stack (edge under workerd, the host agent with a
 * real Chromium session, the MCP bridge): an anonymous and a wrong-user MCP call, a revoked
 * delegate's late ticket, late CDP grant and live CDP attachment, sixteen automation connections
 * before the owner, a refresh flood, and a ticket replayed after the host agent restarted — each
 * refused or bounded, with the session still serving its owner.
 */
describe('doors: attacks on a live session, through the real stack', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let stack: LocalStack;
  let bridge: RunningBridge;
  let demo: string;
  let demo2: string;
  let sessionId: string;
  let observer: Browser;
  let owner: NodeClient;
  const clients: NodeClient[] = [];

  const api = async (method: string, path: string, bearer: string, body?: unknown) => {
    const res = await fetch(`${stack.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const session = (rest = '') => `/api/v1/sessions/${sessionId}${rest}`;
  const ticket = async (role: Role, bearer = demo) => {
    const res = await api('POST', session('/access-tokens'), bearer, { role });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { token: string; cdp_url?: string };
  };
  const hub = () => {
    const found = stack.host?.sessions.hub(sessionId);
    if (!found) throw new Error('the session does not run on the host');
    return found;
  };
  /** A protocol client on the relay's TLS port (the certificate pinned by hash). */
  const relayClient = async (role: Role, token: string) => {
    const client = await NodeClient.connect({
      url: `https://127.0.0.1:${stack.relayPort}/sessions/${sessionId}/connect?ticket=${encodeURIComponent(token)}`,
      certSha256Hex: stack.host?.certificate.sha256Hex as string,
      role,
    });
    clients.push(client);
    return client;
  };
  /** Admitted, rejected with a code, or refused before the handshake. */
  const outcome = async (role: Role, token: string) => {
    try {
      const c = await relayClient(role, token);
      return await Promise.race([
        c.waitFor('serverHello', () => true, 20_000).then(() => 'admitted'),
        c.waitFor('reject', () => true, 20_000).then((r) => `reject ${r.code}`),
      ]);
    } catch (err) {
      return `refused (${(err as Error).message.slice(0, 60)})`;
    }
  };
  /** The page in the session's Chromium, seen on loopback DevTools (the test's own view). */
  const remotePage = (): Page => {
    const pages = observer.contexts().flatMap((c) => c.pages());
    return pages.find((p) => !p.url().startsWith('devtools')) ?? (pages[0] as Page);
  };
  /** Tiles the owner received so far (the picture keeps coming to it). */
  const ownerTiles = () =>
    owner.messages.filter((m) => m.type === 'tileEncoded' || m.type === 'tileCached').length;
  const ownerKeepsSeeing = async (what: string) => {
    const before = ownerTiles();
    const colour = `#${Math.floor(Math.random() * 0xffffff)
      .toString(16)
      .padStart(6, '0')}`;
    await remotePage().evaluate((c) => {
      document.documentElement.style.background = c;
    }, colour);
    await expect
      .poll(() => ownerTiles() - before, { timeout: 20_000, message: what })
      .toBeGreaterThan(0);
    expect(owner.closeInfo, what).toBeUndefined();
  };

  beforeAll(async () => {
    fx = await startStackFixture({ mcpBridge: { port: 0, supervisedDelayMs: 0 } });
    stack = fx.stack;
    bridge = stack.mcpBridge as RunningBridge;
    demo = await loginDevUser(stack.url, 'demo', 'demo-demo');
    demo2 = await loginDevUser(stack.url, 'demo2', 'demo2-demo2');
    sessionId = (await api('POST', '/api/v1/sessions', demo, {})).body.id as string;
    for (let i = 0; !stack.host?.sessions.live(sessionId)?.cdpPort(); i++) {
      if (i > 900) throw new Error('the session did not start on the host');
      await sleep(100);
    }
    observer = await fx.cdp(sessionId);
    await remotePage().goto('about:blank');
    owner = await relayClient('owner', (await ticket('owner')).token);
    await owner.waitFor('frameEnd', () => true, 30_000);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await observer?.close().catch(() => undefined);
    await fx?.stop();
  });

  it('an anonymous MCP call is refused on every bridge route; health says nothing private', async () => {
    await api('POST', session('/mcp-owner'), demo, { principal_id: bridge.principalId });
    const put = await fetch(`${bridge.url}/control-session`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demo}` },
      body: JSON.stringify({ session_id: sessionId }),
    });
    expect(put.status).toBe(200);
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
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    for (const [method, path, body] of [
      ['POST', '/mcp', init],
      ['GET', '/sse', undefined],
      ['POST', `/sessions/${sessionId}/mcp`, init],
      ['GET', `/sessions/${sessionId}/sse`, undefined],
      ['GET', '/control-session', undefined],
      ['DELETE', '/control-session', undefined],
    ] as const) {
      const res = await fetch(`${bridge.url}${path}`, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(await res.text()).not.toContain(sessionId);
    }
    const health = await (await fetch(`${bridge.url}/health`)).text();
    expect(health).not.toContain(sessionId);
    expect(JSON.parse(health)).toEqual({
      ok: true,
      version: expect.any(String),
      principal_id: bridge.principalId,
    });
  });

  it('a wrong-user MCP call gets nothing: another user’s token sees no session', async () => {
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${demo2}`,
    };
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
    for (const path of ['/mcp', `/sessions/${sessionId}/mcp`]) {
      const res = await fetch(`${bridge.url}${path}`, { method: 'POST', headers, body: init });
      expect(res.status, path).toBe(404);
    }
    const control = await fetch(`${bridge.url}/control-session`, { headers });
    expect(((await control.json()) as { session_id: unknown }).session_id).toBeNull();
    const take = await fetch(`${bridge.url}/control-session`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ session_id: sessionId }),
    });
    expect(take.status).toBe(404);
    // The bridge logged who knocked, never a token.
    expect(fx.logs.join('\n')).not.toContain(demo2);
    await api('DELETE', session('/mcp-owner'), demo);
  });

  it('a revoked delegate: its live CDP attachment is cut, its late ticket and CDP grant refused', async () => {
    await api('POST', session('/automation-owner'), demo, { principal_id: 'demo2' });
    const generation = hub().grantGeneration;
    const late = await ticket('automation', demo2);
    const early = await ticket('automation', demo2);
    // A CDP grant obtained now (discovery consumes the ticket), used after the revocation.
    const grant = (await (
      await fetch(early.cdp_url?.replace('/cdp?', '/cdp/json/version?') as string)
    ).json()) as {
      webSocketDebuggerUrl: string;
    };
    const live = await chromium.connectOverCDP(
      (await ticket('automation', demo2)).cdp_url as string,
    );
    const cut = new Promise<void>((resolve) => live.once('disconnected', () => resolve()));
    expect(live.isConnected()).toBe(true);

    const revoked = await api('DELETE', session('/automation-owner'), demo);
    expect(revoked.status).toBe(200);
    // The host learns the new generation with its next heartbeat.
    await expect.poll(() => hub().grantGeneration, { timeout: 20_000 }).toBeGreaterThan(generation);
    await cut;
    const refused = await fetch(late.cdp_url?.replace('/cdp?', '/cdp/json/version?') as string);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'ticket_refused' });
    await expect(chromium.connectOverCDP(grant.webSocketDebuggerUrl)).rejects.toThrow();
    expect(
      fx.logs.some((l) => l.includes('cdp ticket refused') && l.includes('"reason":"revoked"')),
    ).toBe(true);
    expect(
      hub()
        .connections()
        .filter((c) => c.role === 'automation'),
    ).toEqual([]);
    await ownerKeepsSeeing('the owner after the revocation');
  });

  it('sixteen automation connections do not lock the owner out', async () => {
    await api('POST', session('/automation-owner'), demo, { principal_id: 'demo' });
    const outcomes: string[] = [];
    for (let i = 0; i < 16; i++)
      outcomes.push(await outcome('automation', (await ticket('automation')).token));
    expect(outcomes.filter((o) => o === 'admitted')).toHaveLength(8);
    expect(outcomes.filter((o) => o === `reject ${CLOSE_CODES.session_full}`)).toHaveLength(8);
    expect(await outcome('owner', (await ticket('owner')).token)).toBe('admitted');
    await ownerKeepsSeeing('the owner with the automation slots full');
    for (const c of clients.filter((c) => c !== owner)) c.close();
    await api('DELETE', session('/automation-owner'), demo);
  });

  it('a refresh flood gets little out of the relay, and the owner’s stream goes on', async () => {
    const flooder = await relayClient('viewer', (await ticket('viewer')).token);
    await flooder.waitFor('frameEnd', () => true, 30_000);
    await sleep(500);
    const stats = () =>
      hub()
        .connections()
        .find((c) => c.role === 'viewer')?.stats ?? {};
    const before = stats().bytesOut ?? 0;
    const seconds = 5;
    const t0 = performance.now();
    let sent = 0;
    while (performance.now() - t0 < seconds * 1000) {
      for (let i = 0; i < 250; i++, sent++)
        flooder.send({ type: 'refreshRequest', reason: 'manual' });
      await sleep(10);
    }
    await ownerKeepsSeeing('the owner during the flood');
    await sleep(1000);
    const out = (stats().bytesOut ?? 0) - before;
    console.log(
      `refresh flood through the stack: ${sent} requests in ${seconds} s → ${(out / 1024).toFixed(0)} KiB to the flooder, ${stats().throttled} throttled`,
    );
    expect(sent).toBeGreaterThan(5000);
    // At most the budget's pictures (4 at once, then 2/s) plus the picture's own updates.
    expect(out).toBeLessThan(2 * 1024 * 1024);
    expect(flooder.closeInfo).toBeUndefined();
    flooder.close();
  });

  it('a ticket used before the host agent restarted is refused after it; the owner reconnects', async () => {
    const used = (await ticket('owner')).token;
    const first = await relayClient('owner', used);
    await first.waitFor('serverHello');
    first.close();
    owner.close();
    const hostId = stack.host?.hostId;
    const restarted = await stack.restartHost();
    // The new agent re-enrolled its name with the credential the last one kept: same host.
    expect(restarted.hostId).toBe(hostId);
    await expect
      .poll(() => stack.host?.sessions.live(sessionId)?.cdpPort(), { timeout: 90_000 })
      .toBeGreaterThan(0);
    expect(await outcome('owner', used)).toMatch(/^refused/);
    expect(
      fx.logs.some((l) => l.includes('connection refused') && l.includes('"reason":"replayed"')),
    ).toBe(true);
    // The session still serves its owner, with a fresh ticket.
    await observer.close().catch(() => undefined);
    observer = await fx.cdp(sessionId);
    await remotePage().goto('about:blank');
    owner = await relayClient('owner', (await ticket('owner')).token);
    await owner.waitFor('frameEnd', () => true, 30_000);
    await ownerKeepsSeeing('the owner after the restart');
  });
});
