import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  type ConsoleWindow,
  canvasPixels,
  displayToPage,
  share,
  signIn,
  startSession,
  waitForFrames,
  waitForQuiet,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { startTestSite } from './support/test-site.ts';
import { countDifferences, grabDisplay } from './support/x-framebuffer.ts';

describe('live view: console → edge → host → Chromium and back (real everything)', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let site: Awaited<ReturnType<typeof startTestSite>>;
  let browser: Browser & { cleanup(): void };
  let context: BrowserContext;
  let owner: Page;
  let sessionId: string;
  let remote: Browser;

  const remotePage = async (): Promise<Page> => {
    const pages = remote.contexts().flatMap((c) => c.pages());
    const page =
      pages.find((p) => !p.url().startsWith('chrome://') && !p.url().startsWith('devtools')) ??
      pages[0];
    if (!page) throw new Error('remote browser has no page');
    return page;
  };

  /** Canvas equals the X framebuffer once the picture has settled (polls: repaints may be in flight). */
  const expectCanvasEqualsFramebuffer = async (page: Page) => {
    let differing = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 20 && differing !== 0; attempt++) {
      await waitForQuiet(page);
      const canvas = await canvasPixels(page);
      const x = fx.live(sessionId).xDisplay();
      if (!x) throw new Error('display gone');
      const frame = await grabDisplay(x, canvas.width, canvas.height);
      differing = countDifferences(canvas.rgba, frame);
    }
    expect(differing, 'pixels that differ between the client canvas and the X framebuffer').toBe(0);
  };

  beforeAll(async () => {
    site = await startTestSite();
    fx = await startStackFixture({ sites: [site.url] });
    browser = await launchClientBrowser();
    context = await browser.newContext({ viewport: CONSOLE_VIEWPORT });
    owner = await context.newPage();
    owner.on('pageerror', (err) => console.error('console page error:', err.message));
    await signIn(owner, fx.stack.url);
    sessionId = await startSession(owner);
    remote = await fx.cdp(sessionId);
  });

  afterAll(async () => {
    await remote?.close().catch(() => undefined);
    await browser?.close();
    await site?.close();
    await fx?.stop();
  });

  it('shows the remote browser and drives it by keyboard: open a test page from the address bar', async () => {
    const stats = await owner.evaluate(() =>
      (window as unknown as ConsoleWindow).bpClient?.stats(),
    );
    expect(stats?.framesPresented).toBeGreaterThan(0);
    // what the remote browser went to and what failed, for the failure message
    const seen: string[] = [];
    const watched = await remotePage();
    watched.on('framenavigated', (f) => f === watched.mainFrame() && seen.push(f.url()));
    watched.on('requestfailed', (r) => seen.push(`${r.url()} failed: ${r.failure()?.errorText}`));
    const at = async () => (await remotePage()).url();
    // As a person would: when the first keystrokes reach the page before the address bar has
    // focus (a busy machine), they look, and type the address again.
    for (let attempt = 0; attempt < 3 && (await at()) !== `${site.url}/`; attempt++) {
      await owner.keyboard.press('Control+L');
      await owner.waitForTimeout(300);
      await owner.keyboard.type(`${site.url}/`, { delay: 15 });
      await owner.keyboard.press('Enter');
      await expect
        .poll(at, { timeout: 10_000 })
        .toBe(`${site.url}/`)
        .catch(() => undefined);
    }
    try {
      expect(await at()).toBe(`${site.url}/`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nthe remote page went: ${seen.join(' → ')}`);
    }
    await (await remotePage()).waitForLoadState('load');
  });

  it('draws the canvas pixel for pixel equal to the host framebuffer once settled', async () => {
    const canvas = await canvasPixels(owner);
    expect([canvas.width, canvas.height]).toEqual([1280, 720]);
    await expectCanvasEqualsFramebuffer(owner);
  });

  it('types into the remote textarea (read back through CDP)', async () => {
    const page = await remotePage();
    await page.evaluate(() => document.getElementById('box')?.focus());
    const text = 'Hello, BrowserPane! 123';
    await owner.keyboard.type(text, { delay: 20 });
    await expect
      .poll(
        () => page.evaluate(() => (document.getElementById('box') as HTMLTextAreaElement).value),
        { timeout: 10_000 },
      )
      .toBe(text);
    await expectCanvasEqualsFramebuffer(owner);
  });

  it('clicks a link in the page and follows the navigation', async () => {
    const page = await remotePage();
    const link = await page.evaluate(() => {
      const r = (document.getElementById('next') as HTMLElement).getBoundingClientRect();
      return {
        x: r.left + r.width / 2,
        y: r.top + r.height / 2,
        top: window.outerHeight - window.innerHeight,
        left: window.screenX,
      };
    });
    const at = await displayToPage(owner, link.left + link.x, link.top + link.y);
    await owner.mouse.click(at.x, at.y);
    await expect
      .poll(async () => (await remotePage()).url(), { timeout: 10_000 })
      .toBe(`${site.url}/next`);
    await (await remotePage()).waitForSelector('#arrived');
    await expectCanvasEqualsFramebuffer(owner);
  });

  it('lets a second participant join as a viewer: same picture, input dropped', async () => {
    const [viewer] = await Promise.all([
      context.waitForEvent('page'),
      share(owner, 'Open as viewer'),
    ]);
    await viewer.setViewportSize(CONSOLE_VIEWPORT);
    await waitForFrames(viewer);
    expect(
      await viewer.evaluate(() => (window as unknown as ConsoleWindow).bpClient?.controls),
    ).toBe(false);
    await expectCanvasEqualsFramebuffer(viewer);
    // the viewer tries to go back and type; nothing reaches the browser
    const page = await remotePage();
    const before = page.url();
    await viewer.keyboard.press('Alt+ArrowLeft');
    await viewer.keyboard.type('ignored');
    await viewer.waitForTimeout(1000);
    expect(page.url()).toBe(before);
    const owners = fx.live(sessionId).hub.connections();
    expect(owners.filter((c) => c.role === 'viewer')).toHaveLength(1);
    // the owner still drives: click into the live view (a blank spot) and go back
    await owner.bringToFront();
    const blank = await displayToPage(owner, 1200, 680);
    await owner.mouse.click(blank.x, blank.y);
    await owner.keyboard.press('Alt+ArrowLeft');
    await expect
      .poll(async () => (await remotePage()).url(), { timeout: 10_000 })
      .toBe(`${site.url}/`);
    await viewer.close();
  });
});
