import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchClientBrowser } from './support/browser.ts';
import { CONSOLE_VIEWPORT, signIn, startSession } from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';

/** Screenshots for people to look at (gitignored): test/e2e/screenshots/. */
const SHOTS = join(import.meta.dirname, 'screenshots');

interface Box {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

async function boxesOf(page: Page, selector: string): Promise<Box[]> {
  return page.$$eval(selector, (els) =>
    els
      .filter((e) => (e as HTMLElement).offsetParent !== null)
      .map((e) => {
        const r = e.getBoundingClientRect();
        const name = (e.getAttribute('data-testid') ?? e.textContent ?? e.className).trim();
        return { name, x: r.x, y: r.y, width: r.width, height: r.height };
      }),
  );
}

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width - 0.5 &&
  b.x < a.x + a.width - 0.5 &&
  a.y < b.y + b.height - 0.5 &&
  b.y < a.y + a.height - 0.5;

describe('console layout in a real browser', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let browser: Browser & { cleanup(): void };
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    fx = await startStackFixture();
    browser = await launchClientBrowser();
    page = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    await signIn(page, fx.stack.url);
    await startSession(page);
  });

  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('shows the session running in the list once its picture is there', async () => {
    // the picture may come before the edge heard the host run it; the list catches up by itself
    await expect
      .poll(() => page.locator('.session-items .pill').first().textContent(), {
        timeout: 10_000,
        message: 'the state the session list shows',
      })
      .toMatch(/^(ready|active|idle)$/);
  });

  for (const width of [1540, 1280, 1024]) {
    it(`shows every toolbar action whole and apart at ${width} px`, async () => {
      await page.setViewportSize({ width, height: 816 });
      await page.waitForTimeout(300);
      const actions = await boxesOf(page, '.toolbar-actions button, .toolbar-actions .metrics');
      expect(actions.map((a) => a.name)).toEqual(
        expect.arrayContaining(['share', 'Stop session', 'upload-file']),
      );
      for (const a of actions) {
        expect(a.x, `${a.name} starts on screen`).toBeGreaterThanOrEqual(0);
        expect(a.x + a.width, `${a.name} ends on screen`).toBeLessThanOrEqual(width);
      }
      for (let i = 0; i < actions.length; i++)
        for (let j = i + 1; j < actions.length; j++)
          expect(
            overlaps(actions[i] as Box, actions[j] as Box),
            `${actions[i]?.name} / ${actions[j]?.name}`,
          ).toBe(false);
      const [toolbar] = await boxesOf(page, '.toolbar');
      expect(toolbar?.height, 'the toolbar stays one line').toBeLessThanOrEqual(49);
      const [info] = await boxesOf(page, '.toolbar-info');
      expect(info && overlaps(info, actions[0] as Box), 'info runs under the actions').toBe(false);
      await page.screenshot({ path: join(SHOTS, `console-toolbar-${width}.png`) });
    });
  }

  it('opens the Share menu with its four actions and closes it on a click elsewhere', async () => {
    await page.setViewportSize({ width: 1280, height: 816 });
    await page.click('[data-testid=share]');
    const items = await boxesOf(page, '.menu > .menu-item');
    expect(items.map((i) => i.name)).toEqual([
      'share-people',
      'open-viewer',
      'open-owner',
      'copy-link',
    ]);
    for (const i of items) expect(i.x + i.width).toBeLessThanOrEqual(1280);
    await page.screenshot({ path: join(SHOTS, 'console-share-menu.png') });
    await page.mouse.click(20, 400);
    expect(await page.isVisible('.menu')).toBe(false);
  });

  it('stacks notices instead of drawing them over each other', async () => {
    await page.click('[data-testid=share]');
    await page.click('[data-testid=copy-link]');
    await page.click('text=Stop session');
    await page.waitForFunction(() => document.querySelectorAll('.notice').length >= 2, null, {
      timeout: 30_000,
    });
    const notices = await boxesOf(page, '.notice');
    await page.screenshot({ path: join(SHOTS, 'console-notices.png') });
    expect(notices.length).toBe(2);
    expect(overlaps(notices[0] as Box, notices[1] as Box)).toBe(false);
    expect(notices.map((n) => n.name).join(' | ')).toContain('Session stopped');
    // the owner's own live view does not keep its Stop button from stopping the session
    await expect
      .poll(() => page.textContent('.pill'), {
        timeout: 20_000,
      })
      .toBe('stopped');
    expect(await page.textContent('.stage')).toContain('You stopped this session.');
    expect(await page.isVisible('text=Start again')).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'console-stopped.png') });
  });
});
