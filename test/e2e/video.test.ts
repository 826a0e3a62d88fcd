import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '@browserpane/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  type ConsoleWindow,
  canvasPixels,
  signIn,
  startSession,
  waitForQuiet,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { writeTestClip } from './support/test-clip.ts';
import { startTestSite } from './support/test-site.ts';
import { recordWire } from './support/wire-recorder.ts';
import { countDifferences, grabDisplay } from './support/x-framebuffer.ts';

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const inside = (r: Rect, x: number, y: number, w: number, h: number) =>
  x >= r.x && y >= r.y && x + w <= r.x + r.width && y + h <= r.y + r.height;

describe('ROI video: a playing video goes as H.264, the text around it stays on tiles', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let site: Awaited<ReturnType<typeof startTestSite>>;
  let browser: Browser & { cleanup(): void };
  let owner: Page;
  let sessionId: string;
  let remote: Browser;
  let remotePage: Page;
  let wire: Awaited<ReturnType<typeof recordWire>>;
  let videoRect: Rect;

  beforeAll(async () => {
    const clip = await writeTestClip(join(mkdtempSync(join(tmpdir(), 'bp-clip-')), 'clip.webm'));
    site = await startTestSite({ '/clip.webm': clip });
    fx = await startStackFixture({ sites: [site.url] });
    browser = await launchClientBrowser();
    owner = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    await signIn(owner, fx.stack.url);
    sessionId = await startSession(owner);
    wire = await recordWire(fx, owner, sessionId);
    await wire.client.waitFor('frameEnd');
    remote = await fx.cdp(sessionId);
    remotePage = remote.contexts()[0]?.pages()[0] as Page;
    await remotePage.goto(`${site.url}/video`);
    await remotePage.waitForFunction(() => {
      const v = document.getElementById('clip') as HTMLVideoElement;
      return v.readyState > 2 && !v.paused;
    });
    // the video element's rectangle on the display: viewport position + element box
    videoRect = await remotePage.evaluate(() => {
      const r = (document.getElementById('clip') as HTMLElement).getBoundingClientRect();
      const top = window.screenY + window.outerHeight - window.innerHeight;
      return {
        x: Math.round(window.screenX + r.left),
        y: Math.round(top + r.top),
        width: Math.round(r.width),
        height: Math.round(r.height),
      };
    });
  });

  afterAll(async () => {
    wire?.close();
    await remote?.close().catch(() => undefined);
    await browser?.close();
    await fx?.stop();
    await site?.close();
  });

  it('streams the video element’s rectangle as H.264 and shows it in the client', async () => {
    const start = await wire.client.waitFor('videoStreamStart', () => true, 20_000);
    const region = { x: start.x, y: start.y, width: start.width, height: start.height };
    // the region is the video element (even-aligned), not a tile-aligned box that would take text
    expect(Math.abs(region.x - videoRect.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(region.y - videoRect.y)).toBeLessThanOrEqual(2);
    expect(Math.abs(region.width - videoRect.width)).toBeLessThanOrEqual(2);
    expect(Math.abs(region.height - videoRect.height)).toBeLessThanOrEqual(2);
    expect(start.codec).toMatch(/^avc1\.42/);
    await expect
      .poll(
        () =>
          owner.evaluate(
            () =>
              (
                window as unknown as ConsoleWindow & {
                  bpClient: { feature(n: string): { stats(): { framesDecoded: number } } };
                }
              ).bpClient
                .feature('video')
                .stats().framesDecoded,
          ),
        { timeout: 20_000 },
      )
      .toBeGreaterThan(30);
  });

  it('sends no tiles inside the video region while it plays, and keeps the text around it on tiles', async () => {
    const start = await wire.client.waitFor('videoStreamStart');
    const region = { x: start.x, y: start.y, width: start.width, height: start.height };
    const since = performance.now();
    // type into the text box outside the video while it plays
    const notes = await remotePage.evaluate(() => {
      const r = (document.getElementById('notes') as HTMLElement).getBoundingClientRect();
      return { x: r.left + 20, y: r.top + 20 };
    });
    await remotePage.mouse.click(notes.x, notes.y);
    await remotePage.keyboard.type('typed next to a playing video', { delay: 30 });
    await new Promise((r) => setTimeout(r, 1500));
    const seen = wire.after(since);
    const fragments = seen.filter((m) => m.type === 'videoFragment');
    const seconds = (performance.now() - since) / 1000;
    expect(
      fragments.length / seconds,
      'video frames per second on the wire',
    ).toBeGreaterThanOrEqual(15);
    const grid = wire.client.messages.findLast((m) => m.type === 'gridConfig') as Extract<
      Message,
      { type: 'gridConfig' }
    >;
    const isTile = (
      m: Message,
    ): m is Extract<Message, { type: 'tileEncoded' | 'tileCached' | 'tileFill' }> =>
      m.type === 'tileEncoded' || m.type === 'tileCached' || m.type === 'tileFill';
    const tiles = seen.filter(isTile);
    // only while a stream plays: if the host ends it (a busy machine can drop the frame rate below
    // the video threshold) the client needs that rectangle as tiles again until the next start
    let playing: { x: number; y: number; width: number; height: number } | undefined = region;
    const transitions: string[] = [];
    const inRegion: typeof tiles = [];
    for (const m of seen) {
      if (m.type === 'videoStreamEnd') {
        playing = undefined;
        transitions.push('end');
      } else if (m.type === 'videoStreamStart') {
        playing = { x: m.x, y: m.y, width: m.width, height: m.height };
        transitions.push(`start ${m.width}x${m.height}`);
      } else if (
        playing &&
        isTile(m) &&
        inside(playing, m.col * grid.tileSize, m.row * grid.tileSize, grid.tileSize, grid.tileSize)
      ) {
        inRegion.push(m);
      }
    }
    expect(
      inRegion.length,
      `tiles inside the playing video (stream transitions seen: ${transitions.join(', ') || 'none'})`,
    ).toBe(0);
    expect(transitions.length, 'the stream kept playing through the window').toBeLessThanOrEqual(2);
    const outside = tiles.filter(
      (t) =>
        !inside(region, t.col * grid.tileSize, t.row * grid.tileSize, grid.tileSize, grid.tileSize),
    );
    expect(outside.length, 'the typed text arrived as tiles').toBeGreaterThan(0);
    expect(
      await remotePage.evaluate(
        () => (document.getElementById('notes') as HTMLTextAreaElement).value,
      ),
    ).toBe('typed next to a playing video');
  });

  it('lowers the video rate for a client that asks for fewer bits, and lifts it when it stops asking', async () => {
    await wire.client.waitFor('videoStreamStart');
    const videoKbps = async (ms: number) => {
      const since = performance.now();
      await new Promise((r) => setTimeout(r, ms));
      const bytes = wire
        .after(since)
        .reduce((n, m) => n + (m.type === 'videoFragment' ? m.data.byteLength : 0), 0);
      return (bytes * 8) / ms;
    };
    const hint = (targetKbps: number) =>
      wire.client.send({ type: 'bitrateHint', targetKbps, lossPermille: 0, queueDelayMs: 0 });
    const normal = await videoKbps(3000);
    hint(200);
    await new Promise((r) => setTimeout(r, 1000));
    const limited = await videoKbps(3000);
    hint(0);
    await new Promise((r) => setTimeout(r, 1000));
    const lifted = await videoKbps(3000);
    expect(normal, 'kbit/s before asking').toBeGreaterThan(400);
    expect(limited, 'kbit/s while asking for 200').toBeLessThan(Math.min(350, normal * 0.6));
    expect(lifted, 'kbit/s after withdrawing the ask').toBeGreaterThan(limited * 1.5);
  });

  it('makes the region lossless again once the video pauses', async () => {
    await remotePage.evaluate(() => (document.getElementById('clip') as HTMLVideoElement).pause());
    // The stream's latest transition on the whole wire: under load the stream may already have
    // ended (and not restarted) before the pause, which leaves no new end message to wait for.
    const lastTransition = () =>
      wire.client.messages.findLast(
        (m) => m.type === 'videoStreamStart' || m.type === 'videoStreamEnd',
      )?.type ?? 'none';
    await expect
      .poll(lastTransition, {
        timeout: 20_000,
        message: 'the last video stream transition on the wire after the pause',
      })
      .toBe('videoStreamEnd');
    let differing = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 15 && differing !== 0; attempt++) {
      await waitForQuiet(owner, 800);
      const canvas = await canvasPixels(owner);
      const x = fx.live(sessionId).xDisplay();
      if (!x) throw new Error('display gone');
      differing = countDifferences(canvas.rgba, await grabDisplay(x, canvas.width, canvas.height));
    }
    expect(differing, 'pixels that differ between the client picture and the X framebuffer').toBe(
      0,
    );
    const layerClear = await owner.evaluate(() => {
      const layer = document.querySelector('.bp-video') as HTMLCanvasElement;
      const data = layer.getContext('2d')?.getImageData(0, 0, layer.width, layer.height).data ?? [];
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return false;
      return true;
    });
    expect(layerClear, 'the video layer is empty after the stream ended').toBe(true);
  });
});
