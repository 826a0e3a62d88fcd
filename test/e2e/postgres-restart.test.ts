import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../deploy/local/stack.ts';
import { freePort, migrate, type RunningPostgres, startPostgres } from '../../edge/local/index.ts';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  type ConsoleWindow,
  liveViewPixel,
  signIn,
  startSession,
} from './support/console-driver.ts';
import { colourSwitchPage, PAGES, startTestSite } from './support/test-site.ts';
import { openRemote } from './support/workspace.ts';

const ORANGE = [230, 120, 20];
const BLUE = [30, 60, 200];
PAGES['/outage'] = colourSwitchPage({
  title: 'Outage',
  from: ORANGE,
  to: BLUE,
  button: 'Switch',
  buttonId: 'switch',
  clickedTitle: 'Switched',
});

/**
 * PostgreSQL restarted under a running stack (PgBouncer in front, as Hyperdrive would be): while
 * it is down the API answers 503 `database_unavailable`, the running session and the person's
 * live view carry on (the relay needs no database), and once it is back the API and the host's
 * heartbeats recover by themselves.
 */
describe('PostgreSQL restarted mid-session', () => {
  let pg: RunningPostgres;
  let stack: LocalStack;
  let dataDir: string;
  let site: Awaited<ReturnType<typeof startTestSite>>;
  let browser: Browser & { cleanup(): void };
  let context: BrowserContext;
  let person: Page;
  let remote: Browser;
  let token: string;
  let sessionId: string;

  const get = async (path: string, bearer = token) => {
    const res = await fetch(`${stack.url}${path}`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: res.status, code: body.code, body };
  };
  const lastHeartbeat = async (): Promise<number> => {
    const res = await get('/api/v1/hosts', stack.edge.secrets.operatorToken);
    const hosts = (res.body.hosts ?? []) as { last_heartbeat_at: string }[];
    return Date.parse(hosts[0]?.last_heartbeat_at ?? '') || 0;
  };
  const connectionId = () =>
    person.evaluate(() => (window as unknown as ConsoleWindow).bpClient?.connectionId ?? '');

  beforeAll(async () => {
    site = await startTestSite();
    pg = await startPostgres({ pooler: true });
    await migrate(pg.directUrl, { log: () => {} });
    dataDir = mkdtempSync(join(tmpdir(), 'bp-pg-restart-'));
    stack = await startLocalStack({
      dataDir,
      port: 0,
      relayPort: await freePort(),
      plainPort: await freePort(),
      database: { url: pg.url },
      host: 'in-process',
      hostMaxSessions: 1,
      // one session is looked at; a warm runtime would only take CPU
      hostWarmRuntimes: 0,
      sandboxAllowPorts: [Number(new URL(site.url).port)],
      edgeVars: { HOST_LOST_AFTER_MS: '30000' },
    });
    browser = await launchClientBrowser();
    context = await browser.newContext({ viewport: CONSOLE_VIEWPORT });
    person = await context.newPage();
    await signIn(person, stack.url);
    sessionId = await startSession(person);
    token = await person.evaluate(
      () => JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
    );
    const port = stack.host?.sessions.live(sessionId)?.cdpPort();
    remote = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  }, 240_000);

  afterAll(async () => {
    await remote?.close().catch(() => undefined);
    await browser?.close();
    await stack?.stop();
    await pg?.stop();
    await site?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('answers 503 while the database is down, keeps the live view, and recovers by itself', async () => {
    const page = await openRemote(remote, `${site.url}/outage`);
    await expect
      .poll(() => liveViewPixel(person, page, 240, 160), { timeout: 30_000 })
      .toEqual(ORANGE);
    const viewer = await connectionId();
    expect(viewer).not.toBe('');
    expect((await get(`/api/v1/sessions/${sessionId}`)).status).toBe(200);

    let downAt = 0;
    await pg.restart(async () => {
      downAt = Date.now();
      await expect
        .poll(
          async () => {
            const r = await get(`/api/v1/sessions/${sessionId}`);
            return `${r.status} ${r.code}`;
          },
          { timeout: 20_000 },
        )
        .toBe('503 database_unavailable');
      // the session and its live view do not need the database
      await page.click('#switch');
      await expect
        .poll(() => liveViewPixel(person, page, 240, 160), { timeout: 20_000 })
        .toEqual(BLUE);
      expect(await connectionId()).toBe(viewer);
    });

    await expect
      .poll(async () => (await get(`/api/v1/sessions/${sessionId}`)).status, { timeout: 60_000 })
      .toBe(200);
    await expect.poll(lastHeartbeat, { timeout: 30_000 }).toBeGreaterThan(downAt);
    const after = (await get(`/api/v1/sessions/${sessionId}`)).body;
    expect((after.status as { runtime_state?: string } | undefined)?.runtime_state).toBe('running');
    expect(await connectionId()).toBe(viewer);
    expect(
      await person.evaluate(
        () => (window as unknown as ConsoleWindow).bpClient?.stats().framesPresented ?? 0,
      ),
    ).toBeGreaterThan(0);
  });
});
