import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XConnection } from '../capture/x11/connection.ts';
import { newXAuthCookie } from '../runtime/xauth.ts';
import { startXvfb, type XvfbServer } from '../runtime/xvfb.ts';
import { DEFAULT_CLIPBOARD_LIMITS } from './clipboard-content.ts';
import { SelectionOwner, type SelectionRequestEvent } from './selection-owner.ts';
import { EV_SELECTION_REQUEST, internAtoms, selectionClient } from './x-atoms.ts';
import { XClipboard } from './x-clipboard.ts';

/** Two bridges on one real Xvfb: one owns CLIPBOARD, the other reads it as any X client would. */
describe('XClipboard on a real X server', () => {
  let dir: string;
  let xvfb: XvfbServer;
  let a: XClipboard;
  let b: XClipboard;
  const cookie = newXAuthCookie();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bp-xclip-'));
    xvfb = await startXvfb({
      framebufferWidth: 320,
      framebufferHeight: 200,
      authFile: join(dir, 'Xauthority'),
      cookie,
      displayBase: 700,
    });
    const open = async () =>
      XClipboard.open(await XConnection.open(xvfb.display, { auth: cookie, shm: false }));
    a = await open();
    b = await open();
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await xvfb?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves text it owns to another client, in every text target', async () => {
    let changes = 0;
    const off = b.onForeignOwner(() => changes++);
    a.set({ text: 'héllo wörld ✓' });
    await expect.poll(() => changes).toBe(1);
    off();
    expect(a.owning).toBe(true);
    const got = await b.read(DEFAULT_CLIPBOARD_LIMITS);
    expect(got).toEqual({ kind: 'content', content: { text: 'héllo wörld ✓' } });
    expect(a.served).toBeGreaterThanOrEqual(2); // TARGETS + UTF8_STRING
  });

  it('serves HTML with its text, and large values written in pieces', async () => {
    const html = `<p>${'<b>bold</b> '.repeat(40_000)}</p>`; // ≈ 480 KB: more than one request
    a.set({ text: 'bold', html });
    await expect.poll(() => b.owning).toBe(false);
    const got = await b.read(DEFAULT_CLIPBOARD_LIMITS);
    expect(got.kind).toBe('content');
    if (got.kind !== 'content') return;
    expect(got.content.text).toBe('bold');
    expect(got.content.html?.length).toBe(html.length);
    expect(got.content.html).toBe(html);
  });

  it('serves PNG images', async () => {
    const png = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    a.set({ text: '', png });
    const got = await b.read(DEFAULT_CLIPBOARD_LIMITS);
    expect(got.kind).toBe('content');
    if (got.kind === 'content')
      expect(Buffer.from(got.content.png ?? [])).toEqual(Buffer.from(png));
  });

  it('reports content over the limit without buffering it', async () => {
    a.set({ text: 'x'.repeat(5000) });
    expect(await b.read({ textBytes: 4096, imageBytes: 4096 })).toEqual({
      kind: 'too_large',
      format: 'text',
    });
    // the next read still works
    a.set({ text: 'small' });
    expect(await b.read({ textBytes: 4096, imageBytes: 4096 })).toEqual({
      kind: 'content',
      content: { text: 'small' },
    });
  });

  it('hands ownership over: the previous owner stops serving', async () => {
    b.set({ text: 'from b' });
    await expect.poll(() => a.owning).toBe(false);
    expect(await a.read(DEFAULT_CLIPBOARD_LIMITS)).toEqual({
      kind: 'content',
      content: { text: 'from b' },
    });
  });

  it('reads at once from an owner that drops a request, instead of waiting out its timeout', async () => {
    // An owner that never answers the first request it gets (lost, or answered too late), and
    // answers every later one, as any owner does.
    const conn = await XConnection.open(xvfb.display, { auth: cookie, shm: false });
    try {
      const client = selectionClient(conn);
      const atoms = await internAtoms(conn);
      const window = client.AllocID();
      client.CreateWindow(window, conn.root, 0, 0, 1, 1, 0, 0, 2, 0, {});
      const owner = new SelectionOwner(client, atoms, window);
      let requests = 0;
      conn.onEvent((ev) => {
        if ((ev.type & 0x7f) !== EV_SELECTION_REQUEST) return;
        requests++;
        if (requests > 1) owner.serve(ev as unknown as SelectionRequestEvent);
      });
      owner.own({ text: 'after a dropped request' });
      await conn.sync();
      await expect.poll(() => a.owning).toBe(false);
      // a reader that waited for the dropped answer gives up ("did not answer") after 5 s
      const got = await b.read(DEFAULT_CLIPBOARD_LIMITS);
      expect(got).toEqual({ kind: 'content', content: { text: 'after a dropped request' } });
      expect(requests).toBeGreaterThanOrEqual(3); // TARGETS twice, then the text
    } finally {
      await conn.close();
    }
  });
});
