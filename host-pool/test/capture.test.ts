import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CursorTracker, DisplayFrameSource, type XConnection } from '../src/capture/index.ts';
import { InputInjector } from '../src/input/index.ts';
import type { CursorUpdate, FrameUpdate } from '../src/types.ts';
import { applyUpdate, type Picture, pixelDiff } from './helpers/apply-update.ts';
import {
  openPage,
  type PageHandle,
  sleep,
  startTestRuntime,
  type TestRuntime,
  waitUntil,
} from './helpers/browser.ts';
import { type PageServer, startPageServer } from './helpers/page-server.ts';

let server: PageServer;
let env: TestRuntime;
let page: PageHandle;
let source: DisplayFrameSource;
let input: InputInjector;
let x: XConnection;
let picture: Picture;
const updates: FrameUpdate[] = [];
let lastUpdateAt = 0;

/** Waits until no update has arrived for `ms`. */
async function quiet(ms = 400): Promise<void> {
  await waitUntil(() => performance.now() - lastUpdateAt > ms, 10_000, 25);
}

/**
 * Waits until the reconstructed picture equals the X server's screen. Chromium may still be
 * painting when a test looks, so equality is awaited rather than sampled; a pipeline that lost
 * damage never converges, because nothing would make it grab again.
 */
async function converges(timeoutMs = 5000): Promise<void> {
  let diff = -1;
  try {
    await waitUntil(async () => {
      await quiet(150);
      diff = pixelDiff(picture.data, await screen());
      return diff === 0;
    }, timeoutMs);
  } catch {
    expect(diff, 'pixels that differ from the X server').toBe(0);
  }
}

/** The screen as the X server has it (core GetImage, independent of the SHM path). */
async function screen(): Promise<Buffer> {
  const size = await x.rootSize();
  return x.getImage(0, 0, size.width, size.height);
}

async function type(text: string): Promise<void> {
  for (const ch of text) {
    const code = ch === ' ' ? 'Space' : `Key${ch.toUpperCase()}`;
    await input.apply({ type: 'keyEvent', down: true, code, key: ch, modifiers: 0, repeat: false });
    await input.apply({
      type: 'keyEvent',
      down: false,
      code,
      key: ch,
      modifiers: 0,
      repeat: false,
    });
    await sleep(70);
  }
}

beforeAll(async () => {
  server = await startPageServer();
  env = await startTestRuntime();
  page = await openPage(env.runtime.cdpWebSocketUrl());
  await page.navigate(server.url('article.html'));
  source = await DisplayFrameSource.open({
    display: env.runtime.display,
    auth: env.runtime.xAuthCookie,
  });
  picture = applyUpdate(undefined, source.snapshot());
  source.onFrame((u) => {
    updates.push(u);
    lastUpdateAt = performance.now();
    picture = applyUpdate(picture, u);
  });
  input = await InputInjector.open({ display: env.runtime.display, auth: env.runtime.xAuthCookie });
  x = await env.runtime.connectX({ shm: false });
});

afterAll(async () => {
  await input?.close();
  await source?.close();
  await x?.close();
  await page?.close();
  await env?.dispose();
  await server?.close();
});

describe('display capture (real Xvfb + Chromium)', () => {
  it('grabs through MIT-SHM and matches the X server picture pixel for pixel', async () => {
    expect(source.usesShm).toBe(true);
    expect(source.grid).toEqual({ tileSize: 64, cols: 20, rows: 12, width: 1280, height: 720 });
    await converges();
    const snap = applyUpdate(undefined, source.snapshot());
    expect(pixelDiff(snap.data, await screen())).toBe(0);
  });

  it('falls back to core GetImage with the same result', async () => {
    const core = await DisplayFrameSource.open({
      display: env.runtime.display,
      auth: env.runtime.xAuthCookie,
      shm: false,
    });
    try {
      expect(core.usesShm).toBe(false);
      await converges();
      expect(pixelDiff(applyUpdate(undefined, core.snapshot()).data, await screen())).toBe(0);
    } finally {
      await core.close();
    }
  });

  it('produces no updates while the page is idle (2 s)', async () => {
    await quiet();
    const before = updates.length;
    await sleep(2000);
    expect(updates.length - before).toBe(0);
  });

  it('turns typing into small updates', async () => {
    expect(await page.evaluate('document.hasFocus()')).toBe(true);
    const chromeHeight = 720 - (await page.evaluate<number>('innerHeight'));
    const pad = await page.evaluate<{ x: number; y: number }>(
      '(() => { const r = document.getElementById("pad").getBoundingClientRect(); return { x: r.x + 30, y: r.y + 30 }; })()',
    );
    const at = { x: Math.round(pad.x), y: Math.round(pad.y + chromeHeight) };
    await input.apply({ type: 'pointerButton', button: 'left', down: true, ...at, modifiers: 0 });
    await input.apply({ type: 'pointerButton', button: 'left', down: false, ...at, modifiers: 0 });
    // the click's own repaint (focus ring, caret) must not count as typing
    await sleep(1000);
    await quiet(300);
    const before = updates.length;
    await type('hello tiles');
    await sleep(200);
    const typed = updates.slice(before);
    expect(await page.evaluate('document.getElementById("pad").value')).toBe('hello tiles');
    expect(typed.length).toBeGreaterThanOrEqual(5);
    for (const u of typed) {
      expect(u.copies).toHaveLength(0);
      expect(u.tiles.length).toBeLessThanOrEqual(4);
    }
    await page.evaluate('document.activeElement.blur()');
    await converges();
  });

  it('detects a wheel scroll as copies plus few tiles, and applying them is exact', async () => {
    await input.apply({ type: 'pointerMove', x: 600, y: 450 });
    await quiet();
    const before = updates.length;
    for (let i = 0; i < 6; i++) {
      await input.apply({ type: 'wheel', x: 600, y: 450, deltaX: 0, deltaY: 120, modifiers: 0 });
      await sleep(150);
    }
    await quiet();
    const scrolled = updates.slice(before);
    const withCopies = scrolled.filter((u) => u.copies.length > 0);
    expect(await page.evaluate('scrollY')).toBe(720);
    expect(withCopies.length).toBeGreaterThanOrEqual(4);
    const chromeHeight = 720 - (await page.evaluate<number>('innerHeight'));
    for (const u of withCopies) {
      let exposed = 0;
      for (const c of u.copies) {
        expect(c.dstY).toBeGreaterThanOrEqual(chromeHeight);
        expect(c.srcY).toBeGreaterThanOrEqual(chromeHeight);
        exposed = Math.max(exposed, Math.abs(c.srcY - c.dstY));
      }
      // only the newly exposed rows (whole tile rows around them) and the scrollbar thumb
      const tileRows = Math.ceil(exposed / 64) + 1;
      expect(u.tiles.length).toBeLessThanOrEqual(tileRows * source.grid.cols + 6);
    }
    await converges();
  });

  it('emits a new grid and a full picture when the display is resized', async () => {
    const before = updates.length;
    await env.runtime.setDisplaySize(1024, 600);
    await waitUntil(() => updates.slice(before).some((u) => u.grid?.width === 1024));
    await quiet();
    expect(source.grid).toEqual({ tileSize: 64, cols: 16, rows: 10, width: 1024, height: 600 });
    expect(await page.evaluate('outerWidth')).toBeGreaterThanOrEqual(1024);
    expect(await page.evaluate('outerHeight')).toBeGreaterThanOrEqual(600);
    await converges();
    await env.runtime.setDisplaySize(1280, 720);
    await waitUntil(() => source.grid.width === 1280);
    await converges();
  });

  it('pauses while inactive and catches up on resume', async () => {
    await quiet();
    source.setActive(false);
    const before = updates.length;
    await page.evaluate(
      'document.body.style.background = "#fed"; document.querySelector("h1").textContent = "Paused"',
    );
    await sleep(300);
    expect(updates.length).toBe(before);
    source.setActive(true);
    await waitUntil(() => updates.length > before);
    await converges();
  });

  it('leaves a masked rectangle (playing as video) out of the whole picture, and repaints it when unmasked', async () => {
    await quiet();
    // tiles 2–5 × 2–4 wholly inside, with a ragged edge that cuts tiles 1, 6 and 5 (row)
    const mask = { x: 100, y: 128, width: 320, height: 200 };
    source.setMask(mask);
    await quiet();
    const size = source.grid.tileSize;
    const within = (col: number, row: number) =>
      col * size >= mask.x &&
      row * size >= mask.y &&
      (col + 1) * size <= mask.x + mask.width &&
      (row + 1) * size <= mask.y + mask.height;
    const snap = source.snapshot();
    const left = snap.tiles.filter((t) => within(t.col, t.row)).map((t) => `${t.col},${t.row}`);
    expect(left, 'tiles wholly inside the mask in the picture').toEqual([]);
    // the edge tiles the mask only cuts stay, and so does everything else
    const { cols, rows } = source.grid;
    const expected = cols * rows - [2, 3, 4, 5].length * [2, 3, 4].length;
    expect(snap.tiles.length, 'tiles in the masked picture').toBe(expected);
    source.setMask(undefined);
    await converges();
    expect(source.snapshot().tiles.length, 'tiles once unmasked').toBe(cols * rows);
  });

  it('follows the cursor: shape once per new shape, cached on switching back, position on moves', async () => {
    const cursorX = await env.runtime.connectX({ shm: false });
    const cursor = await CursorTracker.start(cursorX);
    const seen: CursorUpdate[] = [];
    cursor.onCursor((u) => seen.push(u));
    try {
      await page.evaluate('scrollTo(0, 0)');
      const chromeHeight = 720 - (await page.evaluate<number>('innerHeight'));
      const pad = await page.evaluate<{ x: number; y: number }>(
        '(() => { const r = document.getElementById("pad").getBoundingClientRect(); return { x: r.x + 30, y: r.y + 30 }; })()',
      );
      const onPad = { x: Math.round(pad.x), y: Math.round(pad.y + chromeHeight) };
      // the empty right end of the page header: the default arrow
      const onHeader = { x: 1100, y: chromeHeight + 20 };
      await input.apply({ type: 'pointerMove', ...onHeader });
      await waitUntil(() => cursor.current().position?.x === onHeader.x);
      await sleep(200);
      const arrow = cursor.current().shape;
      expect(arrow?.width).toBeGreaterThan(0);
      expect(arrow?.rgba.length).toBe((arrow?.width ?? 0) * (arrow?.height ?? 0) * 4);
      const mark = seen.length;
      await input.apply({ type: 'pointerMove', ...onPad });
      const isShapeChange = (u: CursorUpdate) =>
        u.type === 'cursorShape' || u.type === 'cursorCached';
      await waitUntil(() => seen.slice(mark).some(isShapeChange));
      const beam = seen.slice(mark).find(isShapeChange);
      expect(beam && 'serial' in beam && beam.serial !== arrow?.serial).toBe(true);
      expect(cursor.current().position).toEqual({
        type: 'cursorPosition',
        ...onPad,
        visible: true,
      });
      const mark2 = seen.length;
      await input.apply({ type: 'pointerMove', ...onHeader });
      await waitUntil(() => seen.slice(mark2).some(isShapeChange));
      expect(seen.slice(mark2).find(isShapeChange)).toEqual({
        type: 'cursorCached',
        serial: arrow?.serial,
      });
      // every shape image is sent once
      const shapes = seen.filter((u) => u.type === 'cursorShape').map((u) => u.serial);
      expect(new Set(shapes).size).toBe(shapes.length);
    } finally {
      cursor.close();
      await cursorX.close();
    }
  });
});
