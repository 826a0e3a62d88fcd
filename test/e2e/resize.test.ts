import { CAP } from '@browserpane/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeClient } from '../../host-pool/test/support/node-client.ts';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  type ConsoleWindow,
  share,
  signIn,
  startSession,
  waitForFrames,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import {
  connectionIdOf,
  consoleToken,
  joinAs,
  refusedCount,
  remotePage,
} from './support/workspace.ts';

const CHROME_X = 260;
const CHROME_Y = 96;

interface ResizeWindow extends ConsoleWindow {
  bpClient?: ConsoleWindow['bpClient'] & {
    feature(name: string):
      | {
          lastAck(): { width: number; height: number; status: string } | undefined;
          stats(): { requests: number; acks: Record<string, number> };
        }
      | undefined;
  };
}

describe('resize: the owner’s container sizes the remote display (real everything)', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let browser: Browser & { cleanup(): void };
  let context: BrowserContext;
  let owner: Page;
  let sessionId: string;
  let remote: Browser;
  const clients: NodeClient[] = [];

  const display = () => fx.live(sessionId).display();
  const canvasSize = (page: Page) =>
    page.evaluate(() => {
      const c = (window as unknown as ConsoleWindow).bpClient?.canvas;
      return c ? { width: c.width, height: c.height } : undefined;
    });

  beforeAll(async () => {
    fx = await startStackFixture();
    browser = await launchClientBrowser();
    context = await browser.newContext({ viewport: CONSOLE_VIEWPORT });
    owner = await context.newPage();
    owner.on('pageerror', (err) => console.error('console page error:', err.message));
    await signIn(owner, fx.stack.url);
    sessionId = await startSession(owner);
    remote = await fx.cdp(sessionId);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await remote?.close().catch(() => undefined);
    await browser?.close();
    await fx?.stop();
  });

  it('resizes the X display and Chromium’s window when the owner’s container changes', async () => {
    await expect.poll(display, { timeout: 10_000 }).toEqual({ width: 1280, height: 720 });
    await owner.setViewportSize({ width: CHROME_X + 1040, height: CHROME_Y + 604 });
    await expect.poll(display, { timeout: 10_000 }).toEqual({ width: 1040, height: 604 });
    const page = await remotePage(remote);
    await expect
      .poll(() => page.evaluate(() => window.innerWidth), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(1040);
    expect(await page.evaluate(() => window.innerWidth)).toBeLessThanOrEqual(1041);
    expect(await page.evaluate(() => window.outerHeight)).toBeGreaterThanOrEqual(604);
    await expect
      .poll(() => canvasSize(owner), { timeout: 10_000 })
      .toEqual({
        width: 1040,
        height: 604,
      });
    const ack = await owner.evaluate(() =>
      (window as unknown as ResizeWindow).bpClient?.feature('resize')?.lastAck(),
    );
    expect(ack).toEqual({ width: 1040, height: 604, status: 'applied' });
    // an odd size is evened and reported as clamped
    await owner.setViewportSize({ width: CHROME_X + 901, height: CHROME_Y + 501 });
    await expect.poll(display, { timeout: 10_000 }).toEqual({ width: 900, height: 500 });
    await expect
      .poll(() =>
        owner.evaluate(
          () => (window as unknown as ResizeWindow).bpClient?.feature('resize')?.lastAck()?.status,
        ),
      )
      .toBe('clamped');
  });

  it('tells other participants (changedByOther), letterboxes them, and refuses their resizes', async () => {
    // a second owner (collaborative: it drives the page, but the display is the first owner's)
    const second = await joinAs(fx, owner, sessionId, 'owner');
    clients.push(second);
    const secondId = await connectionIdOf(second);
    const before = display();
    second.send({ type: 'resizeRequest', width: 640, height: 480, devicePixelRatioPercent: 100 });
    const denied = await second.waitFor('resizeAck', (m) => m.status === 'denied');
    expect({ width: denied.width, height: denied.height }).toEqual(before);
    expect(refusedCount(fx, sessionId, secondId)).toBeGreaterThanOrEqual(1);
    await owner.waitForTimeout(500);
    expect(display()).toEqual(before);

    // a viewer in a bigger window sees the picture letterboxed at 1:1
    const [viewer] = await Promise.all([
      context.waitForEvent('page'),
      share(owner, 'Open as viewer'),
    ]);
    await viewer.setViewportSize(CONSOLE_VIEWPORT);
    await waitForFrames(viewer);
    await owner.bringToFront();
    await owner.setViewportSize({ width: CHROME_X + 1100, height: CHROME_Y + 620 });
    await expect.poll(display, { timeout: 10_000 }).toEqual({ width: 1100, height: 620 });
    const other = await second.waitFor(
      'resizeAck',
      (m) => m.status === 'changedByOther' && m.width === 1100,
    );
    expect(other.height).toBe(620);
    await expect
      .poll(() => canvasSize(viewer), { timeout: 10_000 })
      .toEqual({
        width: 1100,
        height: 620,
      });
    const box = await viewer.locator('.bp-screen').boundingBox();
    const stage = await viewer.locator('[data-testid=live-view]').boundingBox();
    if (!box || !stage) throw new Error('viewer not laid out');
    expect(Math.round(box.width)).toBe(1100);
    expect(Math.round(box.height)).toBe(620);
    // centred, with bars on both sides
    expect(Math.round(box.x - stage.x)).toBe(Math.round((stage.width - 1100) / 2));
    expect(Math.round(box.y - stage.y)).toBe(Math.round((stage.height - 620) / 2));
    const viewerAcks = await viewer.evaluate(() =>
      (window as unknown as ResizeWindow).bpClient?.feature('resize')?.stats(),
    );
    expect(viewerAcks?.requests).toBe(0);
    expect(viewerAcks?.acks.changedByOther).toBeGreaterThanOrEqual(1);
    await viewer.close();
  });

  it('honours the per-session switches: a session without clipboard, files and resize grants none', async () => {
    const token = await consoleToken(owner);
    const res = await fetch(`${fx.stack.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ capabilities: { clipboard: false, files: false, resize: false } }),
    });
    expect(res.status).toBe(201);
    const locked = ((await res.json()) as { id: string }).id;
    await expect
      .poll(() => fx.stack.host?.sessions.live(locked)?.state(), { timeout: 60_000 })
      .toBe('running');
    const client = await joinAs(fx, owner, locked, 'owner');
    clients.push(client);
    const hello = await client.waitFor('serverHello');
    expect(
      hello.capabilities & (CAP.clipboard | CAP.fileUpload | CAP.fileDownload | CAP.resize),
    ).toBe(0);
    expect(hello.capabilities & CAP.input).toBe(CAP.input);
    const before = fx.live(locked).display();
    client.send({ type: 'resizeRequest', width: 800, height: 600, devicePixelRatioPercent: 100 });
    client.send({ type: 'clipboardText', text: 'not allowed here' });
    client.send({ type: 'uploadBegin', fileId: 1, name: 'x.txt', size: 1, mime: '' });
    await expect.poll(() => refusedCount(fx, locked, hello.connectionId)).toBe(3);
    expect(client.count('resizeAck') + client.count('uploadAck')).toBe(0);
    expect(fx.live(locked).display()).toEqual(before);
    client.close();
    await fetch(`${fx.stack.url}/api/v1/sessions/${locked}/kill`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  });

  it('drops a tampered viewer’s resize request and counts it', async () => {
    const viewer = await joinAs(fx, owner, sessionId, 'viewer');
    clients.push(viewer);
    const id = await connectionIdOf(viewer);
    const before = display();
    viewer.send({ type: 'resizeRequest', width: 700, height: 500, devicePixelRatioPercent: 100 });
    await expect.poll(() => refusedCount(fx, sessionId, id), { timeout: 5_000 }).toBe(1);
    await owner.waitForTimeout(400);
    expect(display()).toEqual(before);
    expect(viewer.count('resizeAck')).toBe(0);
    expect(viewer.closeInfo).toBeUndefined();
  });
});
