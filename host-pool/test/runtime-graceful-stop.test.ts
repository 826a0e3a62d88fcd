import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CdpClient } from '../src/cdp/index.ts';
import { openPage, startTestRuntime, type TestRuntime } from './helpers/browser.ts';
import { type PageServer, startPageServer } from './helpers/page-server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Target {
  targetId: string;
  type: string;
  url: string;
}

async function pageUrls(wsUrl: string): Promise<string[]> {
  const client = await CdpClient.connect(wsUrl);
  try {
    const { targetInfos } = await client.send<{ targetInfos: Target[] }>('Target.getTargets');
    return targetInfos
      .filter((t) => t.type === 'page')
      .map((t) => t.url)
      .sort();
  } finally {
    await client.close();
  }
}

/**
 * A stop lets Chromium write what it holds in memory: a cookie and a localStorage item set one
 * second before the stop are there after the next start (Chromium writes cookies only every 30 s
 * on its own), and the tabs that were open come back.
 */
describe('graceful stop (real Xvfb + Chromium)', () => {
  let server: PageServer;
  let env: TestRuntime;

  beforeAll(async () => {
    server = await startPageServer();
    env = await startTestRuntime();
  });

  afterAll(async () => {
    await env?.dispose();
    await server?.close();
  });

  it('keeps a cookie and localStorage set 1 s before stop, and reopens the tabs', async () => {
    const rt = env.runtime;
    const first = server.url('article.html');
    const second = `${server.url('article.html')}?tab=2`;
    const page = await openPage(rt.cdpWebSocketUrl());
    await page.navigate(first);
    await page.evaluate(
      `document.cookie = 'kept=cookie-1; max-age=3600; path=/'; localStorage.setItem('kept', 'storage-1'); true`,
    );
    await page.close();
    const client = await CdpClient.connect(rt.cdpWebSocketUrl());
    await client.send('Target.createTarget', { url: second });
    await client.close();
    await expect
      .poll(() => pageUrls(rt.cdpWebSocketUrl()), { timeout: 10_000 })
      .toEqual([first, second].sort());
    await sleep(1000);
    await rt.stop();
    expect(rt.state).toBe('stopped');

    await rt.start({
      sessionId: 'test',
      sessionDir: rt.paths.root,
      width: 1280,
      height: 720,
      startUrl: 'about:blank',
    });
    expect(rt.state).toBe('running');
    await expect
      .poll(() => pageUrls(rt.cdpWebSocketUrl()), { timeout: 15_000 })
      .toEqual([first, second].sort());
    const after = await openPage(rt.cdpWebSocketUrl());
    try {
      // the restored tabs load again before their storage is read
      await after.navigate(first);
      expect(await after.evaluate('document.cookie')).toContain('kept=cookie-1');
      expect(await after.evaluate(`localStorage.getItem('kept')`)).toBe('storage-1');
    } finally {
      await after.close();
    }
  });
});
