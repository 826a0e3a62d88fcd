/**
 * Text beyond the US keyboard, both ways: what a person enters without a key press (an emoji
 * picker, dictation, a virtual keyboard, a layout the host does not have, an IME) reaches the
 * remote page exactly once, and what the remote page shows in Japanese, Chinese, Korean or
 * emoji is drawn with real glyphs, not empty boxes.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  canvasPixels,
  signIn,
  startSession,
  waitForQuiet,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { startStaticServer } from './support/static-server.ts';
import { openRemote } from './support/workspace.ts';

const SHOTS = join(import.meta.dirname, 'screenshots');

const PAGES: Record<string, string> = {
  '/type': `<!doctype html><title>type</title><body style="margin:16px">
<textarea id="box" spellcheck="false" style="width:600px;height:120px;font:20px 'DejaVu Sans'"></textarea>
<script>
  window.inputs = [];
  document.getElementById('box').addEventListener('input', (e) =>
    window.inputs.push({ type: e.inputType, data: e.data }));
</script></body>`,
  '/glyphs': `<!doctype html><title>glyphs</title><body style="margin:24px;font:40px sans-serif">
<p>日本語のテキスト 中文 한국어</p><p>😀 🎉 👍🏽</p>
<script>
  /** The pixels of one character drawn in the page's default sans-serif font. */
  window.glyph = (ch) => {
    const c = document.createElement('canvas');
    c.width = c.height = 64;
    const g = c.getContext('2d');
    g.fillStyle = '#fff'; g.fillRect(0, 0, 64, 64);
    g.fillStyle = '#000'; g.font = '48px sans-serif'; g.textBaseline = 'top';
    g.fillText(ch, 4, 4);
    const d = g.getImageData(0, 0, 64, 64).data;
    let ink = 0, colour = 0, hash = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, gr, b] = [d[i], d[i + 1], d[i + 2]];
      if (r < 250 || gr < 250 || b < 250) ink++;
      if (Math.max(r, gr, b) - Math.min(r, gr, b) > 60) colour++;
      hash = (hash * 31 + r + gr * 3 + b * 7) >>> 0;
    }
    return { ink, colour, hash };
  };
</script></body>`,
};

describe('international text: entered without key presses, and shown with real glyphs', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  let browser: Browser & { cleanup(): void };
  let owner: Page;
  let remote: Browser;
  let page: Page;

  const box = () =>
    page.evaluate(() => (document.getElementById('box') as HTMLTextAreaElement).value);
  const clearBox = async () => {
    await page.evaluate(() => {
      const el = document.getElementById('box') as HTMLTextAreaElement;
      el.value = '';
      el.focus();
      (window as unknown as { inputs: unknown[] }).inputs = [];
    });
    await owner.evaluate(() =>
      (window as unknown as { bpClient?: { focus(): void } }).bpClient?.focus(),
    );
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await startStaticServer([], PAGES);
    fx = await startStackFixture({ sites: [site.url] });
    browser = await launchClientBrowser();
    owner = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    owner.on('pageerror', (err) => console.error('console page error:', err.message));
    await signIn(owner, fx.stack.url);
    const sessionId = await startSession(owner);
    remote = await fx.cdp(sessionId);
    page = await openRemote(remote, `${site.url}/type`);
  });

  afterAll(async () => {
    await remote?.close().catch(() => undefined);
    await browser?.close();
    await site?.close();
    await fx?.stop();
  });

  it('inserts text that comes without a key event (keyboard.insertText: emoji picker, dictation)', async () => {
    await clearBox();
    await owner.keyboard.insertText('dictated words');
    await expect.poll(box, { timeout: 10_000 }).toBe('dictated words');
  });

  it('types äöü ß € (no key on the host layout) in order with the keys around them', async () => {
    await clearBox();
    // Playwright types characters its US layout lacks as text without a key event, the way a
    // German or French keyboard's characters reach a page whose keymap does not have them.
    await owner.keyboard.type('Grüße: äöü ß € 5', { delay: 20 });
    await expect.poll(box, { timeout: 10_000 }).toBe('Grüße: äöü ß € 5');
  });

  it('inserts an emoji, a skin-tone emoji and a flag whole', async () => {
    await clearBox();
    await owner.keyboard.insertText('😀');
    await owner.keyboard.insertText('👍🏽 🇩🇪');
    await expect.poll(box, { timeout: 10_000 }).toBe('😀👍🏽 🇩🇪');
  });

  it('commits an IME composition exactly once', async () => {
    await clearBox();
    const ime = await owner.context().newCDPSession(owner);
    // what an IME does: a composition that changes while the person picks, then a commit
    await ime.send('Input.imeSetComposition', { text: 'に', selectionStart: 1, selectionEnd: 1 });
    await ime.send('Input.imeSetComposition', {
      text: 'にほん',
      selectionStart: 3,
      selectionEnd: 3,
    });
    await ime.send('Input.insertText', { text: '日本' });

    await owner.keyboard.type('go', { delay: 20 });
    await expect.poll(box, { timeout: 10_000 }).toBe('日本go');
    // nothing else arrives later (a second commit would)
    await owner.waitForTimeout(1000);
    expect(await box()).toBe('日本go');
    await ime.detach();
  });

  it('draws Japanese, Chinese, Korean and emoji with real glyphs, not empty boxes', async () => {
    await page.goto(`${site.url}/glyphs`);
    const glyphs = await page.evaluate(() => {
      const w = window as unknown as {
        glyph(ch: string): { ink: number; colour: number; hash: number };
      };
      return Object.fromEntries(
        ['日', '本', '中', '한', '😀', 'A', '\u{10FFFD}'].map((ch) => [ch, w.glyph(ch)]),
      );
    });
    // a character no font has: Chromium draws the "missing glyph" box for it
    const missing = glyphs['\u{10FFFD}']?.hash;
    const cjk = ['日', '本', '中', '한'].map((ch) => ({ ch, hash: glyphs[ch]?.hash }));
    expect(
      cjk.filter((g) => g.hash === missing).map((g) => g.ch),
      'characters drawn as the missing-glyph box',
    ).toEqual([]);
    expect(new Set(cjk.map((g) => g.hash)).size, 'distinct CJK glyphs').toBe(4);
    expect(glyphs['😀']?.colour, 'coloured pixels of 😀').toBeGreaterThan(300);
    await waitForQuiet(owner);
    const canvas = await canvasPixels(owner);
    expect(canvas.width).toBe(1280);
    await owner.screenshot({ path: join(SHOTS, 'international-glyphs.png') });
  });
});
