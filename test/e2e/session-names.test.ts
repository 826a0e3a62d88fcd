import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchClientBrowser } from './support/browser.ts';
import { CONSOLE_VIEWPORT, signIn, startSession } from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { startTestSite } from './support/test-site.ts';
import { openRemote } from './support/workspace.ts';

/** Screenshots for people to look at: test/e2e/screenshots/. */
const SHOTS = join(import.meta.dirname, 'screenshots');

/**
 * Telling sessions apart in the console (real Chromium, real host): the list shows the title and
 * host of the page open in each session, the owner renames one in place, filters the list, and
 * deletes a stopped session for good.
 */
describe('session names and clean-up (console, real Chromium)', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let site: Awaited<ReturnType<typeof startTestSite>>;
  let browser: Browser & { cleanup(): void };
  let remote: Browser | undefined;
  let owner: Page;
  let sessionId: string;
  const item = () => owner.locator(`[data-session="${sessionId}"]`);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await startTestSite();
    fx = await startStackFixture({ sites: [site.url] });
    browser = await launchClientBrowser();
    owner = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    // the console asks before stopping and deleting: this person says yes
    owner.on('dialog', (d) => void d.accept().catch(() => undefined));
    await signIn(owner, fx.stack.url);
    sessionId = await startSession(owner);
  });

  afterAll(async () => {
    await remote?.close().catch(() => undefined);
    await browser?.close();
    await fx?.stop();
    await site?.close();
  });

  it('names a session after the page open in it, with the page’s host', async () => {
    // before: a fresh tab says nothing, so the id's tail tells it apart
    await expect
      .poll(() => item().locator('.session-name').textContent())
      .toBe(`Session ${sessionId.slice(-6)}`);
    remote = await fx.cdp(sessionId);
    await openRemote(remote, `${site.url}/`);
    const host = new URL(site.url).host;
    await expect
      .poll(() => item().textContent(), { timeout: 30_000 })
      .toContain('BrowserPane test page');
    expect(await item().locator('.session-meta').textContent()).toContain(host);
  });

  it('renames it in place: the list and the toolbar say the new name', async () => {
    await item().hover();
    await item().locator('[data-testid=rename-session]').click();
    const input = owner.locator('[data-testid=rename-input]');
    await input.fill('Checkout flow');
    await input.press('Enter');
    await expect.poll(() => item().locator('.session-name').textContent()).toBe('Checkout flow');
    expect(await owner.locator('.toolbar .session-id').textContent()).toBe('Checkout flow');
    // the name is the server's, not only the page's: a reload still shows it
    await owner.reload();
    await expect
      .poll(() => item().locator('.session-name').textContent(), { timeout: 15_000 })
      .toBe('Checkout flow');
    // Escape leaves it as it was
    await item().hover();
    await item().locator('[data-testid=rename-session]').click();
    await owner.locator('[data-testid=rename-input]').fill('Something else');
    await owner.locator('[data-testid=rename-input]').press('Escape');
    expect(await item().locator('.session-name').textContent()).toBe('Checkout flow');
  });

  it('filters the list by name, page or host', async () => {
    const filter = owner.locator('[data-testid=session-filter]');
    await filter.fill('checkout');
    await expect.poll(() => owner.locator('.session-item').count()).toBe(1);
    await filter.fill('test page');
    await expect.poll(() => owner.locator('.session-item').count()).toBe(1);
    await filter.fill('no such session');
    await expect.poll(() => owner.locator('.session-item').count()).toBe(0);
    expect(await owner.locator('.sessions .empty').textContent()).toContain('No session matches');
    await filter.fill('');
    await expect.poll(() => owner.locator('.session-item').count()).toBe(1);
    await owner.screenshot({ path: join(SHOTS, 'session-list-named.png') });
  });

  it('deletes a stopped session for good; a running one offers no delete', async () => {
    await item().hover();
    expect(await item().locator('[data-testid=delete-session]').count()).toBe(0);
    await remote?.close().catch(() => undefined);
    remote = undefined;
    await owner.click('text=Stop session');
    await expect
      .poll(() => item().locator('.pill').textContent(), { timeout: 60_000 })
      .toBe('stopped');
    await item().hover();
    await owner.screenshot({ path: join(SHOTS, 'session-list-stopped.png') });
    await item().locator('[data-testid=delete-session]').click();
    await expect.poll(() => item().count()).toBe(0);
    const status = await owner.evaluate(async (id) => {
      const token = JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken;
      const res = await fetch(`/api/v1/sessions/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return res.status;
    }, sessionId);
    expect(status).toBe(404);
    expect(await owner.locator('.main').textContent()).toContain('Pick a session');
  });
});
