import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../edge/local/index.ts';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  type ConsoleWindow,
  canvasPixels,
  signIn,
  startSession,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';

interface ReconnectWindow extends ConsoleWindow {
  bpConnection?: { phase: string; reconnects?: number; attempt?: number };
  /** Every phase the connection banner went through (recorded by the test). */
  seenPhases?: string[];
}

/** A whole-page colour: the live view shows it in its middle. */
const colourPage = (rgb: readonly number[], withBox = false) =>
  `<!doctype html><html><body style="margin:0;height:100vh;background:rgb(${rgb.join(',')})">${
    withBox
      ? '<textarea id="box" autofocus style="position:absolute;left:10px;top:10px;width:300px;height:60px"></textarea>'
      : ''
  }</body></html>`;

describe('live view reconnect (real stack, real Chromium)', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let browser: Browser & { cleanup(): void };
  let owner: Page;
  let sessionId: string;

  const connection = () =>
    owner.evaluate(() => (window as unknown as ReconnectWindow).bpConnection ?? null);
  const connectionId = () =>
    owner.evaluate(() => (window as unknown as ReconnectWindow).bpClient?.connectionId ?? '');
  /** The colour in the middle of the live view (RGB). */
  const middle = async () => {
    const c = await canvasPixels(owner);
    const at = (Math.floor(c.height / 2) * c.width + Math.floor(c.width / 2)) * 4;
    return [...c.rgba.subarray(at, at + 3)];
  };
  /** Shows a page in the session's browser (whichever Chromium runs it now). */
  const show = async (html: string) => {
    const cdp = await fx.cdp(sessionId);
    try {
      const page = cdp.contexts()[0]?.pages()[0];
      if (!page) throw new Error('the session browser has no page');
      await page.goto(`data:text/html,${encodeURIComponent(html)}`);
    } finally {
      await cdp.close();
    }
  };
  const remoteText = async () => {
    const cdp = await fx.cdp(sessionId);
    try {
      return await (cdp.contexts()[0]?.pages()[0]?.inputValue('#box') ?? '');
    } finally {
      await cdp.close();
    }
  };
  /** Records each phase the banner shows (it changes in the page, faster than polling). */
  const recordPhases = () =>
    owner.evaluate(() => {
      const w = window as unknown as ReconnectWindow;
      w.seenPhases = [];
      const banner = document.querySelector('[data-testid=connection-banner]') as HTMLElement;
      new MutationObserver(() => w.seenPhases?.push(banner.dataset.phase ?? '')).observe(banner, {
        attributes: true,
        attributeFilter: ['data-phase'],
      });
    });

  beforeAll(async () => {
    fx = await startStackFixture();
    browser = await launchClientBrowser();
    const context = await browser.newContext({ viewport: CONSOLE_VIEWPORT });
    owner = await context.newPage();
    await signIn(owner, fx.stack.url);
    sessionId = await startSession(owner);
  });

  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('comes back by itself after the host agent restarts, shows the page, and says what happened', async () => {
    await show(colourPage([200, 30, 160]));
    await expect.poll(middle, { timeout: 20_000 }).toEqual([200, 30, 160]);
    const before = await connectionId();
    await recordPhases();

    const restarted = fx.stack.restartHost();
    await expect
      .poll(async () => (await connection())?.phase, { timeout: 20_000 })
      .toBe('reconnecting');
    // the person sees it, and what they type now is not sent (and not sent later either)
    expect(await owner.locator('[data-testid=connection-banner]').isVisible()).toBe(true);
    expect(await owner.locator('[data-testid=connection-banner]').textContent()).toMatch(
      /reconnecting… \(attempt \d+ of \d+/i,
    );
    await owner.locator('.bp-input').focus();
    await owner.keyboard.type('lost');
    await expect
      .poll(() => owner.locator('.notice').allInnerTexts(), { timeout: 5_000 })
      .toContainEqual(expect.stringMatching(/4 keys not sent/));
    await restarted;

    await expect.poll(connection, { timeout: 60_000 }).toEqual({ phase: 'live', reconnects: 1 });
    expect(await connectionId()).not.toBe(before);
    expect(await owner.locator('[data-testid=connection-banner]').isVisible()).toBe(false);
    expect(await owner.evaluate(() => (window as unknown as ReconnectWindow).seenPhases)).toEqual(
      expect.arrayContaining(['reconnecting', 'live']),
    );
    // the session's browser was restarted with the agent: show a page in it, type into it
    await show(colourPage([20, 180, 60], true));
    await expect.poll(middle, { timeout: 20_000 }).toEqual([20, 180, 60]);
    await owner.locator('.bp-input').focus();
    await owner.keyboard.type('kept');
    await expect.poll(remoteText, { timeout: 10_000 }).toBe('kept');
  });

  it('follows the session to another relay when a new ticket names it', async () => {
    const oldRelay = fx.stack.plainPort;
    const before = await connectionId();
    const [port, plainPort] = [await freePort(), await freePort()];
    await fx.stack.restartHost({ port, plainPort });
    await expect.poll(connection, { timeout: 60_000 }).toEqual({ phase: 'live', reconnects: 2 });
    expect(await connectionId()).not.toBe(before);
    expect(fx.stack.plainPort).not.toBe(oldRelay);
    const hub = fx.live(sessionId).hub;
    expect(hub.connections().map((c) => c.connectionId)).toContain(await connectionId());
    await show(colourPage([30, 60, 220]));
    await expect.poll(middle, { timeout: 20_000 }).toEqual([30, 60, 220]);
  });

  it('does not reconnect when the session is stopped on purpose', async () => {
    const token = await owner.evaluate(
      () => JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
    );
    const res = await fetch(`${fx.stack.url}/api/v1/sessions/${sessionId}/kill`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    await expect.poll(async () => (await connection())?.phase, { timeout: 30_000 }).toBe('ended');
    await owner.waitForTimeout(3_000);
    expect((await connection())?.phase).toBe('ended');
    expect(await owner.locator('.stage .placeholder').textContent()).toMatch(/Reconnect/);
  });
});
