import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionStatus } from '@browserpane/api';
import { importJWK, SignJWT } from 'jose';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../deploy/local/stack.ts';
import { loginDevUser } from '../../edge/test/support/oidc.ts';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  liveViewPixel as pixelAt,
  signIn,
  startSession,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { colourSwitchPage, PAGES, startTestSite } from './support/test-site.ts';

const MAGENTA = [208, 28, 139];
const GREEN = [20, 160, 60];

PAGES['/gateway'] = colourSwitchPage({
  title: 'Gateway test',
  from: MAGENTA,
  to: GREEN,
  button: 'Go green',
  buttonId: 'go',
  clickedTitle: 'Clicked',
});

type Status = SessionStatus;

/**
 * The CDP gateway end to end: an automation ticket's `cdp_url` lets Playwright drive the session a
 * person watches in the console; the gateway admits only fresh automation tickets for this session;
 * the attachment is a connection of the session, and the edge's disconnect and kill cut it.
 */
describe('CDP gateway: Playwright drives the session a person watches', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let stack: LocalStack;
  let dataDir: string;
  let site: Awaited<ReturnType<typeof startTestSite>>;
  let browser: Browser & { cleanup(): void };
  let context: BrowserContext;
  let person: Page;
  let token: string;
  let sessionId: string;
  let automation: Browser | undefined;

  const api = async (method: string, path: string, body?: unknown, bearer = token) => {
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
  const ticket = async (role: string, id = sessionId, bearer = token) => {
    const res = await api('POST', `/api/v1/sessions/${id}/access-tokens`, { role }, bearer);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { token: string; cdp_url?: string; host_id: string };
  };
  const status = async () =>
    (await api('GET', `/api/v1/sessions/${sessionId}/status`)).body as unknown as Status;
  const gateway = (rest: string, id = sessionId) =>
    `http://127.0.0.1:${stack.plainPort}/sessions/${id}/cdp${rest}`;
  const sessionPage = (b: Browser): Page => {
    const pages = b.contexts().flatMap((c) => c.pages());
    const page =
      pages.find((p) => !p.url().startsWith('chrome') && !p.url().startsWith('devtools')) ??
      pages[0];
    if (!page) throw new Error('the session has no page');
    return page;
  };
  /** The live view's pixel at a point of the remote page's viewport (CSS px = display px here). */
  const liveViewPixel = (page: Page, x: number, y: number) => pixelAt(person, page, x, y);

  beforeAll(async () => {
    site = await startTestSite();
    fx = await startStackFixture({ sites: [site.url] });
    stack = fx.stack;
    dataDir = fx.dataDir;
    browser = await launchClientBrowser();
    context = await browser.newContext({ viewport: CONSOLE_VIEWPORT });
    person = await context.newPage();
    await signIn(person, stack.url);
    sessionId = await startSession(person);
    token = await person.evaluate(
      () => JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
    );
  });

  afterAll(async () => {
    await automation?.close().catch(() => undefined);
    await browser?.close();
    // The session's browser keeps connections to the test site open: stop it first.
    await fx?.stop();
    await site?.close();
  });

  it('connectOverCDP with the ticket’s cdp_url drives the page the person sees live', async () => {
    const delegated = await api('POST', `/api/v1/sessions/${sessionId}/automation-owner`, {
      principal_id: 'demo',
    });
    expect(delegated.status).toBe(200);
    const minted = await ticket('automation');
    expect(minted.cdp_url).toBe(`${gateway('')}?ticket=${encodeURIComponent(minted.token)}`);
    automation = await chromium.connectOverCDP(minted.cdp_url as string);
    const page = sessionPage(automation);
    await page.goto(`${site.url}/gateway`);
    expect(await page.title()).toBe('Gateway test');
    await expect.poll(() => liveViewPixel(page, 240, 160), { timeout: 20_000 }).toEqual(MAGENTA);
    await page.click('#go');
    expect(await page.title()).toBe('Clicked');
    await expect.poll(() => liveViewPixel(page, 240, 160), { timeout: 20_000 }).toEqual(GREEN);
  });

  it('lists the attachment as an automation connection and records it as an event', async () => {
    await expect
      .poll(async () => (await status()).automation_connections, { timeout: 15_000 })
      .toEqual([expect.objectContaining({ principal: 'demo', client: 'cdp' })]);
    const current = await status();
    const id = current.automation_connections[0]?.host_connection_id;
    expect(id).toMatch(/^cdp-/);
    expect(current.events).toContainEqual(
      expect.objectContaining({
        type: 'cdp_attached',
        data: { connection_id: id, principal: 'demo' },
      }),
    );
  });

  it('answers Browser.close with an error instead of ending the session', async () => {
    if (!automation) throw new Error('not attached');
    const cdp = await automation.newBrowserCDPSession();
    await expect(cdp.send('Browser.close')).rejects.toThrow(/not allowed/);
    await cdp.detach();
    expect(automation.isConnected()).toBe(true);
    expect(await sessionPage(automation).title()).toBe('Clicked');
  });

  it('refuses viewer and owner tickets, other sessions’ tickets, expired, replayed and missing ones', async () => {
    /** The caller learns only that its ticket was refused; the reason goes to the host's log. */
    const refused = async (url: string) => {
      const res = await fetch(url);
      return { status: res.status, error: ((await res.json()) as { error?: string }).error };
    };
    const REFUSED = { status: 403, error: 'ticket_refused' };
    const logged = (reason: string) =>
      fx.logs.some((l) => l.includes('cdp ticket refused') && l.includes(`"reason":"${reason}"`));
    const discovery = (t: string, id = sessionId) =>
      gateway(`/json/version?ticket=${encodeURIComponent(t)}`, id);

    for (const role of ['viewer', 'owner']) {
      const t = await ticket(role);
      expect(await refused(discovery(t.token))).toEqual(REFUSED);
      await expect(chromium.connectOverCDP(gateway(`?ticket=${t.token}`))).rejects.toThrow();
    }
    expect(logged('not_automation')).toBe(true);
    expect(await refused(gateway('/json/version'))).toEqual(REFUSED);
    expect(logged('missing')).toBe(true);

    // Another owner: cannot mint for this session, and its ticket for its own session is refused here.
    const demo2 = await loginDevUser(stack.url, 'demo2', 'demo2-demo2');
    expect(
      (
        await api(
          'POST',
          `/api/v1/sessions/${sessionId}/access-tokens`,
          { role: 'automation' },
          demo2,
        )
      ).status,
    ).toBe(404);
    const other = (await api('POST', '/api/v1/sessions', {}, demo2)).body.id as string;
    await api(
      'POST',
      `/api/v1/sessions/${other}/automation-owner`,
      { principal_id: 'demo2' },
      demo2,
    );
    let foreign: { token: string } | undefined;
    for (let i = 0; i < 120 && !foreign; i++) {
      const res = await api(
        'POST',
        `/api/v1/sessions/${other}/access-tokens`,
        { role: 'automation' },
        demo2,
      );
      if (res.status === 200) foreign = res.body as { token: string };
      else await new Promise((r) => setTimeout(r, 500));
    }
    if (!foreign) throw new Error('the second session did not start');
    expect(await refused(discovery(foreign.token))).toEqual(REFUSED);
    expect(logged('wrong_session')).toBe(true);
    await api('POST', `/api/v1/sessions/${other}/kill`, undefined, demo2);

    // Expired: a ticket signed with the edge's real key, one minute past its expiry.
    const secrets = JSON.parse(readFileSync(join(dataDir, 'edge-dev-secrets.json'), 'utf8'));
    const jwk = JSON.parse(secrets.TICKET_SIGNING_KEY);
    const key = await importJWK(jwk, 'EdDSA');
    const now = Math.floor(Date.now() / 1000);
    const fresh = await ticket('automation');
    const expired = await new SignJWT({
      name: 'Demo User',
      sid: sessionId,
      hid: fresh.host_id,
      role: 'automation',
      caps: [],
      mode: 'collaborative',
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid, typ: 'JWT' })
      .setIssuer(stack.edge.ticketIssuer)
      .setAudience('browserpane-relay')
      .setSubject('demo')
      .setIssuedAt(now - 120)
      .setExpirationTime(now - 60)
      .setJti(randomBytes(16).toString('base64url'))
      .sign(key);
    expect(await refused(discovery(expired))).toEqual(REFUSED);
    expect(logged('expired')).toBe(true);

    // Replayed: discovery consumes the ticket; its one-time WebSocket grant works once.
    const answer = await fetch(discovery(fresh.token));
    expect(answer.status).toBe(200);
    const { webSocketDebuggerUrl } = (await answer.json()) as { webSocketDebuggerUrl: string };
    expect(webSocketDebuggerUrl).toMatch(/\/cdp\/ws\?grant=/);
    expect(await refused(discovery(fresh.token))).toEqual(REFUSED);
    expect(logged('replayed')).toBe(true);
    // No log line carries a ticket.
    expect(fx.logs.join('\n')).not.toContain(fresh.token);
    const once = await chromium.connectOverCDP(webSocketDebuggerUrl);
    await once.close();
    await expect(chromium.connectOverCDP(webSocketDebuggerUrl)).rejects.toThrow();
  });

  it('is cut by the edge’s disconnect of that connection', async () => {
    if (!automation) throw new Error('not attached');
    const attached = automation;
    const gone = new Promise<void>((resolve) => attached.once('disconnected', () => resolve()));
    const attachment = (await status()).automation_connections.find((c) => c.principal === 'demo');
    expect(attachment).toBeDefined();
    const id = attachment?.host_connection_id;
    const res = await api(
      'POST',
      `/api/v1/sessions/${sessionId}/connections/${attachment?.connection_id}/disconnect`,
    );
    expect(res.status).toBe(200);
    await gone;
    automation = undefined;
    await expect
      .poll(async () => (await status()).automation_connections, { timeout: 15_000 })
      .toEqual([]);
    // The host reports its connection list and its events separately; wait for the event too.
    await expect
      .poll(async () => (await status()).events, { timeout: 15_000 })
      .toContainEqual(
        expect.objectContaining({
          type: 'cdp_detached',
          data: expect.objectContaining({
            connection_id: id,
            reason: 'disconnected by an operator',
          }),
        }),
      );
  });

  it('is cut when the session is killed', async () => {
    const attached = await chromium.connectOverCDP((await ticket('automation')).cdp_url as string);
    automation = attached;
    const gone = new Promise<void>((resolve) => attached.once('disconnected', () => resolve()));
    expect(sessionPage(attached).url()).toBe(`${site.url}/gateway`);
    expect((await api('POST', `/api/v1/sessions/${sessionId}/kill`, {})).status).toBe(200);
    await gone;
    automation = undefined;
  });
});
