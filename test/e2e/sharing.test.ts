import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchClientBrowser } from './support/browser.ts';
import { CONSOLE_VIEWPORT, signIn, startSession, waitForFrames } from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';

/** Screenshots for people to look at: test/e2e/screenshots/. */
const SHOTS = join(import.meta.dirname, 'screenshots');

const statusText = (page: Page) => page.locator('.toolbar .status').textContent();
const peopleText = (page: Page) => page.locator('.toolbar .people').textContent();

/**
 * Two people in real Chromium: the owner shares a session through the console's Share menu, the
 * other person finds it in their list and watches; a link opens it for them as a collaborator;
 * revoking cuts their live view. Then the owner stops it alone: the toolbar says "Stopped" only once
 * the session is, and nobody is "here" any more.
 */
describe('sharing a session between two people (console, real Chromium)', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let browser: Browser & { cleanup(): void };
  let owner: Page;
  let guest: Page;
  let sessionId: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    fx = await startStackFixture();
    browser = await launchClientBrowser();
    owner = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    guest = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    await signIn(owner, fx.stack.url);
    await signIn(guest, fx.stack.url, 'demo2', 'demo2-demo2');
    sessionId = await startSession(owner);
  });

  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('the owner invites the other person by e-mail as a viewer; they find it and watch', async () => {
    // before: the other person cannot open it
    await guest.goto(`${fx.stack.url}/?session=${sessionId}`);
    await expect.poll(() => guest.locator('.main').textContent()).toContain('no session');

    await owner.click('[data-testid=share]');
    await owner.click('[data-testid=share-people]');
    await owner.fill('[data-testid=share-who]', 'demo2@example.test');
    await owner.selectOption('[data-testid=share-role]', 'viewer');
    await owner.click('[data-testid=share-invite]');
    await expect
      .poll(() => owner.locator('[data-testid=share-list]').textContent())
      .toContain('demo2@example.test');
    await owner.screenshot({ path: join(SHOTS, 'share-1-owner-invites.png') });

    await guest.goto(fx.stack.url);
    const item = guest.locator(`[data-session="${sessionId}"]`);
    await expect.poll(() => item.textContent(), { timeout: 15_000 }).toContain('shared by');
    await item.click();
    await waitForFrames(guest);
    await expect.poll(() => statusText(guest), { timeout: 30_000 }).toBe('Live · watching');
    expect(await guest.locator('text=Stop session').count()).toBe(0);
    await expect.poll(() => peopleText(owner), { timeout: 15_000 }).toBe('1 other here');
    await guest.screenshot({ path: join(SHOTS, 'share-2-viewer-watches.png') });
  });

  it('revoking the invitation cuts the live view of the person it was shared with', async () => {
    await owner.click('[data-testid=share-revoke]');
    await expect
      .poll(() => owner.locator('[data-testid=share-list]').textContent())
      .toContain('Nobody yet');
    await expect.poll(() => statusText(guest), { timeout: 30_000 }).toBe('No access');
    await expect.poll(() => guest.locator('.stage').textContent()).toContain('stopped sharing');
    await guest.screenshot({ path: join(SHOTS, 'share-3-revoked.png') });
  });

  it('a collaborator link opens it for the other person, who drives it', async () => {
    await owner.selectOption('[data-testid=share-link-role]', 'collaborator');
    await owner.selectOption('[data-testid=share-link-expiry]', { label: '1 hour' });
    await owner.click('[data-testid=share-make-link]');
    const link = owner.locator('[data-testid=share-link]');
    await expect.poll(() => link.inputValue()).toContain('/?share=');
    await owner.screenshot({ path: join(SHOTS, 'share-4-owner-link.png') });

    await guest.goto(await link.inputValue());
    await waitForFrames(guest);
    await expect.poll(() => statusText(guest), { timeout: 30_000 }).toBe('Live · you are driving');
    // the secret leaves the address bar
    expect(guest.url()).not.toContain('share=');
    await guest.screenshot({ path: join(SHOTS, 'share-5-collaborator-drives.png') });
    await owner.click('[data-testid=share-revoke]');
    await expect.poll(() => statusText(guest), { timeout: 30_000 }).toBe('No access');
  });

  it('a solo stop: "Stopped" only once the session is, and nobody is "here" after', async () => {
    await owner.click('.share-dialog button[title=Close]');
    await expect.poll(() => peopleText(owner), { timeout: 20_000 }).toBe('only you');
    const seen: { status: string | null; state: string }[] = [];
    const api = (path: string) =>
      owner.evaluate(async (p) => {
        const token = JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken;
        const res = await fetch(p, { headers: { authorization: `Bearer ${token}` } });
        return (await res.json()).state as string;
      }, path);
    owner.once('dialog', (d) => void d.accept());
    await owner.click('text=Stop session');
    const deadline = Date.now() + 60_000;
    for (;;) {
      // read the toolbar first: a "Stopped" it shows must already be the session's state
      const status = await statusText(owner);
      const state = await api(`/api/v1/sessions/${sessionId}`);
      seen.push({ status, state });
      if (status === 'Stopped' || Date.now() > deadline) break;
      await owner.waitForTimeout(100);
    }
    expect(seen.at(-1)?.status, JSON.stringify(seen.slice(-5))).toBe('Stopped');
    expect(
      seen.filter((s) => s.status === 'Stopped' && s.state !== 'stopped'),
      JSON.stringify(seen),
    ).toEqual([]);
    expect(await peopleText(owner)).toBe('');
  });
});
