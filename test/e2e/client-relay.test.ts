import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient, DIST_DIR } from '../../client/scripts/build.ts';
import { startRelayFixture } from '../../host-pool/test/support/relay-fixture.ts';
import { launchClientBrowser } from './support/browser.ts';
import { startStaticServer } from './support/static-server.ts';

const PAGE = `<!doctype html><html><body style="margin:0;background:#333">
<div id="view" style="width:512px;height:256px"></div>
<script type="module">
import { BrowserPaneClient } from '/browserpane-client.js';
window.bp = {
  async connect(opts) {
    window.client = await BrowserPaneClient.connect({ container: document.getElementById('view'), workerUrl: '/decode-worker.js', ...opts });
    window.events = [];
    window.client.on((e) => window.events.push(e));
    return { transport: window.client.transport, capabilities: window.client.capabilities, role: window.client.role };
  },
  async pixels() {
    await window.client.settled();
    const c = window.client.canvas;
    return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
  },
};
</script></body></html>`;

describe('browser client ↔ relay (real Chromium, synthetic picture)', () => {
  let fx: Awaited<ReturnType<typeof startRelayFixture>>;
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  let browser: Awaited<ReturnType<typeof launchClientBrowser>>;

  beforeAll(async () => {
    await buildClient();
    fx = await startRelayFixture({ plainPort: 0 });
    site = await startStaticServer([DIST_DIR], { '/': PAGE });
    browser = await launchClientBrowser({ spki: fx.cert.spkiBase64 });
  });
  afterAll(async () => {
    await browser?.close();
    browser?.cleanup();
    await site?.close();
    await fx?.close();
  });

  async function open(
    relayUrl: string,
    role: 'owner' | 'viewer' = 'owner',
  ): Promise<{ page: Page; info: { transport: string; capabilities: string[]; role: string } }> {
    const page = await browser.newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
    await page.goto(`${site.url}/`);
    const ticket = await fx.ticket(role);
    const info = await page.evaluate(
      (opts) =>
        (window as unknown as { bp: { connect(o: unknown): Promise<unknown> } }).bp.connect(opts),
      { relayUrl, sessionId: 'session-1', ticket, role },
    );
    await page.waitForFunction(
      () =>
        (window as unknown as { client: { stats(): { framesPresented: number } } }).client.stats()
          .framesPresented > 0,
    );
    return { page, info: info as { transport: string; capabilities: string[]; role: string } };
  }

  const pixels = (page: Page) =>
    page.evaluate(() => (window as unknown as { bp: { pixels(): Promise<number[]> } }).bp.pixels());

  it('renders the picture pixel for pixel over TLS (WebSocket fallback, pinned dev certificate)', async () => {
    const { page, info } = await open(`https://127.0.0.1:${fx.relay.port}`);
    expect(info.transport).toBe('websocket');
    expect(info.capabilities).toContain('input');
    fx.source.paint(0, 0, 11);
    fx.source.paint(3, 1, 29); // an edge tile
    fx.source.change(2, 0, 0x3366ccff);
    await expect
      .poll(async () => equal(await pixels(page), fx.source), { timeout: 10_000 })
      .toBe(true);
    await page.close();
  });

  it('renders over the loopback plain-WebSocket relay port and applies later updates', async () => {
    const { page, info } = await open(`http://127.0.0.1:${fx.relay.plainPort}`);
    expect(info.transport).toBe('websocket');
    await expect
      .poll(async () => equal(await pixels(page), fx.source), { timeout: 10_000 })
      .toBe(true);
    for (let i = 0; i < 8; i++) fx.source.paint(i % 4, i % 2, 100 + i);
    await expect
      .poll(async () => equal(await pixels(page), fx.source), { timeout: 10_000 })
      .toBe(true);
    await page.close();
  });

  it('sends keyboard and pointer input in remote pixels; a viewer’s input never arrives', async () => {
    const viewer = await open(`http://127.0.0.1:${fx.relay.plainPort}`, 'viewer');
    expect(viewer.info.capabilities).not.toContain('input');
    // the SDK never sends input for a viewer; a tampered client might, and the relay must drop it
    await viewer.page.mouse.click(128 + 10, 64 + 10);
    await viewer.page.keyboard.type('nope');
    await viewer.page.evaluate(() => {
      const c = (window as unknown as { client: { send(m: unknown): void } }).client;
      c.send({ type: 'keyEvent', down: true, code: 'KeyN', key: 'n', modifiers: 0, repeat: false });
      c.send({ type: 'pointerButton', button: 'left', down: true, x: 1, y: 1, modifiers: 0 });
    });
    const owner = await open(`http://127.0.0.1:${fx.relay.plainPort}`);
    fx.inputs.length = 0;
    // the 256×128 picture is shown at 1:1 in a 512×256 box, centred: it starts at (128, 64)
    await owner.page.mouse.click(128 + 40, 64 + 30);
    await owner.page.keyboard.type('Hi');
    await expect
      .poll(() => fx.inputs.filter((m) => m.type === 'keyEvent').length, { timeout: 5_000 })
      .toBeGreaterThanOrEqual(4);
    expect(fx.inputs).toContainEqual(
      expect.objectContaining({ type: 'pointerButton', button: 'left', down: true, x: 40, y: 30 }),
    );
    expect(fx.inputs).toContainEqual(
      expect.objectContaining({ type: 'keyEvent', down: true, code: 'KeyH', key: 'H' }),
    );
    expect(fx.inputs).toContainEqual(
      expect.objectContaining({ type: 'keyEvent', down: true, code: 'KeyI', key: 'i' }),
    );
    expect(fx.inputs.some((m) => m.type === 'keyEvent' && m.key === 'n')).toBe(false);
    expect(fx.inputs).not.toContainEqual(
      expect.objectContaining({ type: 'pointerButton', x: 1, y: 1 }),
    );
    const refused = fx.hub.connections().find((c) => c.role === 'viewer')?.stats.refused ?? 0;
    expect(refused).toBe(2);
    await viewer.page.close();
    await owner.page.close();
  });
});

function equal(actual: number[], source: { expectedRgba(): Uint8Array }): boolean {
  const expected = source.expectedRgba();
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      const px = Math.floor(i / 4);
      console.log(
        `first mismatch at pixel ${px % 256},${Math.floor(px / 256)}: got ${actual.slice(px * 4, px * 4 + 4)} want ${expected.slice(px * 4, px * 4 + 4)}`,
      );
      return false;
    }
  }
  return true;
}

void join;
