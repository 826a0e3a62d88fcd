import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOSE_CODES } from '@browserpane/protocol';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeClient } from '../../host-pool/test/support/node-client.ts';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  type ConsoleWindow,
  signIn,
  startSession,
  waitForFrames,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';

describe('live view fault cases (real stack)', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let browser: Browser & { cleanup(): void };
  let owner: Page;
  let sessionId: string;

  /** A connect ticket minted through the edge API with the signed-in user's token. */
  const ticket = async (role: 'owner' | 'viewer') => {
    const token = await owner.evaluate(
      () => JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
    );
    const res = await fetch(`${fx.stack.url}/api/v1/sessions/${sessionId}/access-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { token: string };
  };
  const nodeClient = async (role: 'owner' | 'viewer', stopReading = false) => {
    const host = fx.stack.host;
    if (!host) throw new Error('no in-process host');
    const { token } = await ticket(role);
    return NodeClient.connect({
      url: `https://127.0.0.1:${host.relayPort}/sessions/${sessionId}/connect?ticket=${encodeURIComponent(token)}`,
      certSha256Hex: host.certificate.sha256Hex,
      role,
      stopReading,
    });
  };
  const presented = () =>
    owner.evaluate(
      () => (window as unknown as ConsoleWindow).bpClient?.stats().framesPresented ?? 0,
    );

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

  it('closes only the connection that sends a garbage frame, with the protocol error code', async () => {
    const bad = await nodeClient('owner');
    await bad.waitFor('serverHello');
    bad.sendRaw(Uint8Array.of(0x07, 0xff, 0xff, 0xff, 0x7f)); // tiles, declared length 2 GiB
    const closed = await bad.waitClosed();
    expect(closed.closeCode).toBe(CLOSE_CODES.frame_too_large);
    const before = await presented();
    await owner.keyboard.press('Control+L');
    await owner.keyboard.type('still here');
    await expect.poll(presented, { timeout: 10_000 }).toBeGreaterThan(before);
    expect(
      await owner.evaluate(() => (window as unknown as ConsoleWindow).bpClient?.controls),
    ).toBe(true);
    await owner.keyboard.press('Escape');
  });

  it('keeps the owner’s picture flowing while another client stops reading', async () => {
    const stalled = await nodeClient('viewer', true);
    await stalled.waitFor('frameEnd');
    const before = await presented();
    await owner.keyboard.press('Control+L');
    for (const ch of 'typing while a viewer stalls') {
      await owner.keyboard.type(ch);
      await owner.waitForTimeout(40);
    }
    await expect
      .poll(async () => (await presented()) - before, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(15);
    const stats = fx
      .live(sessionId)
      .hub.connections()
      .find((c) => c.role === 'viewer' && c.client === 'node-test-client');
    expect(
      stats?.stats.framesDropped,
      'the stalled viewer skipped frames instead of holding anyone up',
    ).toBeGreaterThan(0);
    await owner.keyboard.press('Escape');
    stalled.close();
  });

  it('restarts a killed Chromium on the same profile (a cookie survives) and the client recovers', async () => {
    const live = fx.live(sessionId);
    const port = live.cdpPort();
    const cdp = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    const context = cdp.contexts()[0];
    if (!context) throw new Error('no browser context');
    const expires = Math.floor(Date.now() / 1000) + 3600;
    await context.addCookies([
      { name: 'survivor', value: 'yes', domain: '127.0.0.1', path: '/', expires },
    ]);
    // The cookie store writes every 30 s or after 512 changes: push a batch through to disk.
    await context.addCookies(
      Array.from({ length: 520 }, (_, i) => ({
        name: `f${i}`,
        value: '1',
        domain: 'filler.test',
        path: '/',
        expires,
      })),
    );
    const store = join(live.diagnostics().profileDir, 'Default', 'Cookies');
    await expect
      .poll(() => existsSync(store) && readFileSync(store).includes('survivor'), {
        timeout: 20_000,
      })
      .toBe(true);
    await cdp.close();

    const pid = live.diagnostics().chromiumPid;
    expect(pid).toBeGreaterThan(0);
    const framesBefore = await presented();
    process.kill(pid as number, 'SIGKILL');
    await expect.poll(() => live.state(), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => live.restarts(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    expect(live.diagnostics().chromiumPid).not.toBe(pid);

    const again = await chromium.connectOverCDP(`http://127.0.0.1:${live.cdpPort()}`);
    const cookies = await again.contexts()[0]?.cookies('http://127.0.0.1/');
    expect(cookies?.find((c) => c.name === 'survivor')?.value).toBe('yes');
    await again.close();
    // the live view recovers: it keeps presenting frames of the restarted browser
    await expect.poll(presented, { timeout: 30_000 }).toBeGreaterThan(framesBefore);
    await waitForFrames(owner, framesBefore + 1);
    expect(
      await owner.evaluate(() => (window as unknown as ConsoleWindow).bpClient?.controls),
    ).toBe(true);
    const events = fx.live(sessionId);
    expect(events.state()).toBe('running');
  });
});
