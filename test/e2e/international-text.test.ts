/**
 * Text beyond the US keyboard, both ways: what a person enters without a key press (an emoji
 * picker, dictation, a virtual keyboard, a layout the host does not have, an IME) reaches the
 * remote page exactly once, and what the remote page shows in Japanese, Chinese, Korean or
 * emoji is drawn with real glyphs, not empty boxes.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchClientBrowser } from './support/browser.ts';
import { CONSOLE_VIEWPORT, signIn, startSession } from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { startStaticServer } from './support/static-server.ts';
import { openRemote } from './support/workspace.ts';

const PAGES: Record<string, string> = {
  '/type': `<!doctype html><title>type</title><body style="margin:16px">
<textarea id="box" spellcheck="false" style="width:600px;height:120px;font:20px 'DejaVu Sans'"></textarea>
<script>
  window.inputs = [];
  document.getElementById('box').addEventListener('input', (e) =>
    window.inputs.push({ type: e.inputType, data: e.data }));
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
    fx = await startStackFixture();
    site = await startStaticServer([], PAGES);
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
});
