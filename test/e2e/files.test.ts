import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOSE_CODES, encodeMessage } from '@browserpane/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionFiles } from '../../host-pool/src/files/files-feature.ts';
import type { NodeClient } from '../../host-pool/test/support/node-client.ts';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  type ConsoleWindow,
  displayToPage,
  share,
  signIn,
  startSession,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { PAGES, startTestSite } from './support/test-site.ts';
import {
  connectionIdOf,
  consoleToken,
  elementOnDisplay,
  joinAs,
  openRemote,
  refusedCount,
  WORKSPACE_PAGE,
} from './support/workspace.ts';

const FILE_TOO_LARGE = 1303;
const FILE_REJECTED = 1304;

type Ev = { type: string; feature?: string; event?: string; detail?: unknown; code?: number };
interface FilesWindow extends ConsoleWindow {
  events: Ev[];
}

describe('files: uploads into the page’s file chooser, downloads to the client and the files API', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let site: Awaited<ReturnType<typeof startTestSite>>;
  let browser: Browser & { cleanup(): void };
  let context: BrowserContext;
  let owner: Page;
  let sessionId: string;
  let remote: Browser;
  let page: Page;
  let viewer: NodeClient;
  const clients: NodeClient[] = [];

  const host = () => {
    const f = sessionFiles(sessionId);
    if (!f) throw new Error('files feature not running');
    return f;
  };
  const sessionRoot = () => join(fx.live(sessionId).diagnostics().profileDir, '..');
  const readFiles = (id: string) =>
    page.evaluate(
      (i) =>
        (
          window as unknown as {
            readFiles(i: string): Promise<Array<{ name: string; size: number; text: string }>>;
          }
        ).readFiles(i),
      id,
    );
  /** Clicks a remote element through the live view, as the user would. */
  const clickRemote = async (selector: string) => {
    const at = await elementOnDisplay(page, selector);
    await owner.bringToFront();
    const p = await displayToPage(owner, at.x, at.y);
    await owner.mouse.click(p.x, p.y);
  };
  const events = (event: string) =>
    owner.evaluate(
      (e) =>
        (window as unknown as FilesWindow).events.filter(
          (x) => x.type === 'feature' && x.feature === 'files' && x.event === e,
        ),
      event,
    );
  const api = async (path: string) => {
    const res = await fetch(`${fx.stack.url}${path}`, {
      headers: { authorization: `Bearer ${await consoleToken(owner)}` },
    });
    return res;
  };

  beforeAll(async () => {
    PAGES['/workspace'] = WORKSPACE_PAGE;
    site = await startTestSite();
    fx = await startStackFixture({ sites: [site.url] });
    browser = await launchClientBrowser();
    context = await browser.newContext({ viewport: CONSOLE_VIEWPORT, acceptDownloads: true });
    owner = await context.newPage();
    owner.on('pageerror', (err) => console.error('console page error:', err.message));
    await signIn(owner, fx.stack.url);
    sessionId = await startSession(owner);
    await owner.evaluate(() => {
      const w = window as unknown as FilesWindow & {
        bpClient: { on(l: (e: unknown) => void): void };
      };
      w.events = [];
      w.bpClient.on((e) => w.events.push(e as Ev));
    });
    remote = await fx.cdp(sessionId);
    page = await openRemote(remote, `${site.url}/workspace`);
    viewer = await joinAs(fx, owner, sessionId, 'viewer');
    clients.push(viewer);
  });

  afterAll(async () => {
    if (process.env.FILES_TEST_LOGS)
      console.log(fx.logs.filter((l) => /download|files|setup|chooser/i.test(l)).join('\n'));
    for (const c of clients) c.close();
    await remote?.close().catch(() => undefined);
    await browser?.close();
    await site?.close();
    await fx?.stop();
  });

  it('uploads through the SDK; the remote <input type=file> reads it', async () => {
    const stored = await owner.evaluate(async () => {
      const files = (
        window as unknown as {
          bpClient: {
            feature(n: string): {
              upload(f: Blob): { done: Promise<{ storedName: string; size: number }> };
            };
          };
        }
      ).bpClient.feature('files');
      const file = new File(['Quarterly numbers ✓\n'.repeat(5000)], 'report.txt', {
        type: 'text/plain',
      });
      return files.upload(file).done;
    });
    expect(stored).toMatchObject({ storedName: 'report.txt', size: 110_000 });
    expect(readFileSync(join(sessionRoot(), 'uploads', 'report.txt'), 'utf8')).toBe(
      'Quarterly numbers ✓\n'.repeat(5000),
    );
    await clickRemote('#file');
    await expect.poll(() => readFiles('file'), { timeout: 10_000 }).toHaveLength(1);
    const [got] = await readFiles('file');
    expect(got?.name).toBe('report.txt');
    expect(got?.text).toBe('Quarterly numbers ✓\n'.repeat(5000));
    expect((await events('uploadStored')).length).toBe(1);
  });

  it('a workspace file bound to the session is what the page’s <input type=file> reads', async () => {
    const token = await consoleToken(owner);
    const call = (method: string, path: string, body?: BodyInit, headers = {}) =>
      fetch(`${fx.stack.url}${path}`, {
        method,
        body,
        headers: { authorization: `Bearer ${token}`, ...headers },
      });
    const ws = (await (
      await call('POST', '/api/v1/file-workspaces', JSON.stringify({ name: 'e2e inputs' }), {
        'content-type': 'application/json',
      })
    ).json()) as { id: string };
    const content = 'Invoice 2026-11 ✓\n'.repeat(3000);
    const file = (await (
      await call('POST', `/api/v1/file-workspaces/${ws.id}/files`, content, {
        'content-type': 'text/plain',
        'x-bpane-file-name': 'invoice.txt',
      })
    ).json()) as { id: string };
    const bound = await call(
      'POST',
      `/api/v1/sessions/${sessionId}/file-bindings`,
      JSON.stringify({ workspace_id: ws.id, file_id: file.id, mount_path: 'bound/invoice.txt' }),
      { 'content-type': 'application/json' },
    );
    expect(bound.status).toBe(201);
    const binding = (await bound.json()) as { id: string };
    const state = async () =>
      (
        (await (
          await call('GET', `/api/v1/sessions/${sessionId}/file-bindings/${binding.id}`)
        ).json()) as { state: string }
      ).state;
    await expect.poll(state, { timeout: 20_000 }).toBe('materialized');
    expect(readFileSync(join(sessionRoot(), 'uploads', 'bound', 'invoice.txt'), 'utf8')).toBe(
      content,
    );
    await clickRemote('#file');
    await expect
      .poll(async () => (await readFiles('file'))[0]?.text, { timeout: 10_000 })
      .toBe(content);
    expect((await readFiles('file'))[0]?.name).toBe('invoice.txt');
  });

  it('a chooser opened first waits; the console picker and a drop fill a multiple input', async () => {
    await clickRemote('#files');
    await expect.poll(() => host().chooser.chooserWaiting, { timeout: 10_000 }).toBe(true);
    await expect
      .poll(() =>
        owner.evaluate(() =>
          (window as unknown as FilesWindow).events.some(
            (e) => e.type === 'notice' && e.code === 0,
          ),
        ),
      )
      .toBe(true);
    // two files through the console's picker: the multiple chooser takes the batch
    await owner.setInputFiles('[data-testid=upload-input]', [
      { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('first file') },
      { name: 'b.txt', mimeType: 'text/plain', buffer: Buffer.from('second file') },
    ]);
    await expect.poll(() => readFiles('files'), { timeout: 10_000 }).toHaveLength(2);
    expect((await readFiles('files')).map((f) => `${f.name}=${f.text}`).sort()).toEqual([
      'a.txt=first file',
      'b.txt=second file',
    ]);
    // a file dropped on the live view is uploaded too, and offered to the next chooser
    const dt = await owner.evaluateHandle(() => {
      const d = new DataTransfer();
      d.items.add(new File(['dropped content'], 'dropped.txt', { type: 'text/plain' }));
      return d;
    });
    await owner.dispatchEvent('.bp-stage', 'dragenter', { dataTransfer: dt });
    await owner.dispatchEvent('.bp-stage', 'drop', { dataTransfer: dt });
    await expect
      .poll(async () =>
        (await events('uploadStored')).map((e) => (e.detail as { name: string }).name),
      )
      .toContain('dropped.txt');
    await clickRemote('#file');
    await expect
      .poll(async () => (await readFiles('file'))[0]?.text, { timeout: 10_000 })
      .toBe('dropped content');
  });

  it('streams a remote download to the client and records it in the files API', async () => {
    await page.evaluate(() => {
      const data = new Uint8Array(300_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([data], { type: 'application/octet-stream' }));
      a.download = 'export.bin';
      document.body.append(a);
      a.click();
    });
    const expected = Buffer.from(new Uint8Array(300_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff));
    await expect.poll(async () => (await events('download')).length, { timeout: 15_000 }).toBe(1);
    const got = await owner.evaluate(async () => {
      const files = (
        window as unknown as {
          bpClient: {
            feature(n: string): {
              downloads(): Array<{ name: string; size: number; mime: string; blob: Blob }>;
            };
          };
        }
      ).bpClient.feature('files');
      const [d] = files.downloads();
      if (!d) return undefined;
      const bytes = new Uint8Array(await d.blob.arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return { name: d.name, size: d.size, b64: btoa(s) };
    });
    expect(got?.name).toBe('export.bin');
    expect(Buffer.from(got?.b64 ?? '', 'base64').equals(expected)).toBe(true);
    expect(await owner.textContent('[data-testid=downloads]')).toBe('Downloads (1)');
    // the viewer got nothing
    expect(viewer.count('downloadBegin')).toBe(0);
    // the files API has it, with the same bytes
    let listed: Array<{ id: string; name: string; size: number; content_url: string }> = [];
    await expect
      .poll(
        async () => {
          listed = (await (await api(`/api/v1/sessions/${sessionId}/files`)).json()).files;
          return listed.map((f) => f.name);
        },
        { timeout: 15_000 },
      )
      .toEqual(['export.bin']);
    const [file] = listed;
    if (!file) throw new Error('no file');
    const meta = await (await api(`/api/v1/sessions/${sessionId}/files/${file.id}`)).json();
    expect(meta).toMatchObject({ name: 'export.bin', size: 300_000, source: 'download' });
    const content = await api(file.content_url);
    expect(Buffer.from(await content.arrayBuffer()).equals(expected)).toBe(true);
  });

  it('refuses oversized, malformed and unknown uploads cleanly, and resumes an interrupted one', async () => {
    const second = await joinAs(fx, owner, sessionId, 'owner');
    clients.push(second);
    const id = await connectionIdOf(second);
    second.send({ type: 'uploadBegin', fileId: 1, name: 'huge.bin', size: 2 ** 40, mime: '' });
    expect((await second.waitFor('uploadAbort', (m) => m.fileId === 1)).code).toBe(FILE_TOO_LARGE);
    second.send({ type: 'uploadBegin', fileId: 2, name: '   ', size: 1, mime: '' });
    expect((await second.waitFor('uploadAbort', (m) => m.fileId === 2)).code).toBe(FILE_REJECTED);
    second.send({ type: 'uploadChunk', fileId: 3, offset: 0, data: new Uint8Array(4) });
    expect((await second.waitFor('uploadAbort', (m) => m.fileId === 3)).code).toBe(FILE_REJECTED);
    second.send({ type: 'uploadBegin', fileId: 4, name: 'gap.bin', size: 10, mime: '' });
    await second.waitFor('uploadAck', (m) => m.fileId === 4);
    second.send({ type: 'uploadChunk', fileId: 4, offset: 5, data: new Uint8Array(5) });
    expect((await second.waitFor('uploadAbort', (m) => m.fileId === 4)).code).toBe(FILE_REJECTED);
    expect(refusedCount(fx, sessionId, id)).toBe(4);
    expect(second.closeInfo).toBeUndefined();
    expect(existsSync(join(sessionRoot(), 'uploads', 'gap.bin'))).toBe(false);
    // a path for a name is a protocol error: that connection closes, nothing else happens
    const tampered = await joinAs(fx, owner, sessionId, 'owner');
    clients.push(tampered);
    await connectionIdOf(tampered);
    const frame = encodeMessage({
      type: 'uploadBegin',
      fileId: 1,
      name: 'x_etc',
      size: 1,
      mime: '',
    });
    frame[frame.indexOf(0x5f)] = 0x2f; // x/etc
    tampered.sendRaw(frame);
    expect((await tampered.waitClosed()).closeCode).toBe(CLOSE_CODES.invalid_value);
    expect(fx.live(sessionId).state()).toBe('running');

    // resume: half a file, the connection drops, a new connection continues at the same byte
    const body = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff);
    second.send({
      type: 'uploadBegin',
      fileId: 5,
      name: 'resume.bin',
      size: body.length,
      mime: '',
    });
    await second.waitFor('uploadAck', (m) => m.fileId === 5);
    for (let at = 0; at < 131_072; at += 65_536)
      second.send({
        type: 'uploadChunk',
        fileId: 5,
        offset: at,
        data: body.subarray(at, at + 65_536),
      });
    await expect.poll(() => host().store.counts.active).toBeGreaterThanOrEqual(1);
    second.send({ type: 'ping', seq: 99, timestampUs: 1 });
    await second.waitFor('pong', (m) => m.seq === 99); // chunks before it were handled
    second.close();
    await expect.poll(() => host().store.counts.interrupted).toBe(1);
    const again = await joinAs(fx, owner, sessionId, 'owner');
    clients.push(again);
    await connectionIdOf(again); // the relay drops what arrives before it answered the hello
    again.send({ type: 'uploadBegin', fileId: 9, name: 'resume.bin', size: body.length, mime: '' });
    const ack = await again.waitFor('uploadAck', (m) => m.fileId === 9);
    expect(ack.receivedBytes).toBe(131_072);
    for (let at = 131_072; at < body.length; at += 65_536)
      again.send({
        type: 'uploadChunk',
        fileId: 9,
        offset: at,
        data: body.subarray(at, at + 65_536),
      });
    again.send({ type: 'uploadEnd', fileId: 9 });
    const stored = await again.waitFor('uploadAck', (m) => m.fileId === 9 && m.state === 'stored');
    expect(stored.storedName).toBe('resume.bin');
    expect(
      readFileSync(join(sessionRoot(), 'uploads', 'resume.bin')).equals(Buffer.from(body)),
    ).toBe(true);
  });

  it('aborts an upload cleanly: no partial file is kept or offered', async () => {
    const outcome = await owner.evaluate(async () => {
      const files = (
        window as unknown as {
          bpClient: {
            feature(n: string): {
              upload(f: Blob): { done: Promise<unknown>; abort(): void };
            };
            on(l: (e: { type: string; event?: string }) => void): () => void;
          };
        }
      ).bpClient;
      const blob = new File([new Uint8Array(4 * 1024 * 1024)], 'aborted.bin');
      const handle = files.feature('files').upload(blob);
      const off = files.on((e) => {
        if (e.type === 'feature' && e.event === 'uploadProgress') handle.abort();
      });
      try {
        await handle.done;
        return 'stored';
      } catch (err) {
        return (err as { code: string }).code;
      } finally {
        off();
      }
    });
    expect(outcome).toBe('aborted');
    await expect.poll(() => host().store.counts.active).toBe(0);
    await expect.poll(() => readdirSync(join(sessionRoot(), 'upload-partials')).length).toBe(0);
    expect(existsSync(join(sessionRoot(), 'uploads', 'aborted.bin'))).toBe(false);
    expect(host().chooser.waitingFiles.map((f) => f.storedName)).not.toContain('aborted.bin');
  });

  it('refuses a viewer: its uploads are dropped and counted, its picker is disabled', async () => {
    const id = await connectionIdOf(viewer);
    const hello = await viewer.waitFor('serverHello');
    expect(hello.capabilities & 0b1100).toBe(0); // neither fileUpload nor fileDownload
    const before = host().receiver.stats.begun;
    viewer.send({ type: 'uploadBegin', fileId: 1, name: 'v.txt', size: 1, mime: '' });
    viewer.send({ type: 'uploadChunk', fileId: 1, offset: 0, data: new Uint8Array(1) });
    viewer.send({ type: 'uploadEnd', fileId: 1 });
    await expect.poll(() => refusedCount(fx, sessionId, id)).toBe(3);
    expect(host().receiver.stats.begun).toBe(before);
    expect(viewer.count('uploadAck') + viewer.count('uploadAbort')).toBe(0);
    const [viewerPage] = await Promise.all([
      context.waitForEvent('page'),
      share(owner, 'Open as viewer'),
    ]);
    await viewerPage.waitForFunction(
      () => ((window as unknown as ConsoleWindow).bpClient?.stats().framesPresented ?? 0) > 0,
    );
    expect(await viewerPage.isDisabled('[data-testid=upload-file]')).toBe(true);
    await viewerPage.close();
  });
});
