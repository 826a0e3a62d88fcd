import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DisplayFrameSource } from '../src/capture/index.ts';
import { CdpClient, CdpError, fetchBrowserWebSocketUrl } from '../src/cdp/index.ts';
import {
  type ChromiumExit,
  type ChromiumRestart,
  defaultSlotCount,
  RuntimeError,
  type RuntimeState,
  SessionRuntime,
  SlotLimiter,
} from '../src/runtime/index.ts';
import { RestartTracker } from '../src/runtime/restart-policy.ts';
import { openPage, startTestRuntime, type TestRuntime, waitUntil } from './helpers/browser.ts';
import { type PageServer, startPageServer } from './helpers/page-server.ts';

const MIB = 1024 * 1024;

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Local addresses (hex, as /proc/net/tcp writes them) that listen on `port`. */
function listeners(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [addr, portHex] = (cols[1] ?? '').split(':');
      if (cols[3] === '0A' && Number.parseInt(portHex ?? '', 16) === port) out.push(addr ?? '');
    }
  }
  return out;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

describe('slot limiter', () => {
  it('defaults to what memory allows (450 MiB per session, 1 GiB reserve)', () => {
    expect(defaultSlotCount(24 * 1024 * MIB)).toBe(52);
    expect(defaultSlotCount(512 * MIB)).toBe(1);
    const limiter = new SlotLimiter({
      totalMemory: () => 4 * 1024 * MIB,
      freeMemory: () => 4096 * MIB,
    });
    expect(limiter.capacity).toBe(6);
  });

  it('hands out slots up to the cap and takes them back', () => {
    const limiter = new SlotLimiter({ maxSlots: 2, checkFreeMemory: false });
    const a = limiter.acquire('a');
    expect(limiter.acquire('a')).toBe(a);
    limiter.acquire('b');
    expect(() => limiter.acquire('c')).toThrow(RuntimeError);
    try {
      limiter.acquire('c');
    } catch (err) {
      expect((err as RuntimeError).code).toBe('no_capacity');
    }
    a.release();
    a.release();
    expect(limiter.inUse).toBe(1);
    expect(limiter.available).toBe(1);
    expect(limiter.acquire('c').sessionId).toBe('c');
  });

  it('refuses a slot while free memory is short', () => {
    const limiter = new SlotLimiter({ maxSlots: 10, freeMemory: () => 100 * MIB });
    expect(() => limiter.acquire('x')).toThrow(/free memory/);
    expect(() => new SlotLimiter({ maxSlots: -1 })).toThrow(RuntimeError);
  });
});

describe('restart policy', () => {
  it('backs off exponentially and gives up after too many restarts in the window', () => {
    const t = new RestartTracker({
      maxRestarts: 3,
      windowMs: 1000,
      initialDelayMs: 100,
      maxDelayMs: 250,
    });
    expect(t.next(0)).toBe(100);
    expect(t.next(10)).toBe(200);
    expect(t.next(20)).toBe(250);
    expect(t.next(30)).toBeUndefined();
    expect(t.next(1100)).toBe(100);
  });
});

describe('session runtime (real Xvfb + Chromium)', () => {
  let server: PageServer;
  let env: TestRuntime;
  const states: RuntimeState[] = [];

  beforeAll(async () => {
    server = await startPageServer();
    env = await startTestRuntime();
    env.runtime.on('state', (s) => states.push(s));
  });

  afterAll(async () => {
    await env?.dispose();
    await server?.close();
  });

  it('runs Chromium on its own display with DevTools on loopback only', async () => {
    const rt = env.runtime;
    expect(rt.state).toBe('running');
    expect(rt.display).toMatch(/^:\d+$/);
    expect(existsSync(`/tmp/.X${rt.display.slice(1)}-lock`)).toBe(true);
    expect(rt.cdpWebSocketUrl()).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\//);
    expect(await fetchBrowserWebSocketUrl(rt.cdpPort)).toBe(rt.cdpWebSocketUrl());
    expect(listeners(rt.cdpPort)).toEqual(['0100007F']);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) expect(await canConnect(external.address, rt.cdpPort)).toBe(false);
  });

  it('fills the display with an active browser window and downloads without asking', async () => {
    const rt = env.runtime;
    const page = await openPage(rt.cdpWebSocketUrl());
    try {
      expect(await page.evaluate('document.hasFocus()')).toBe(true);
      expect(await page.evaluate('[screenX, screenY]')).toEqual([0, 0]);
      expect(await page.evaluate<number>('outerWidth')).toBeGreaterThanOrEqual(1280);
      expect(await page.evaluate<number>('outerHeight')).toBeGreaterThanOrEqual(720);
      await page.session.send('Page.navigate', { url: server.url('download/report.txt') });
      const file = join(rt.paths.downloads, 'report.txt');
      await waitUntil(() => existsSync(file), 10_000);
      expect(readFileSync(file, 'utf8')).toBe('contents of report.txt\n');
      expect(existsSync(rt.paths.uploads)).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('restarts a killed Chromium on the same profile (cookies survive)', async () => {
    const rt = env.runtime;
    const client = await CdpClient.connect(rt.cdpWebSocketUrl());
    const expires = Math.floor(Date.now() / 1000) + 3600;
    await client.send('Storage.setCookies', {
      cookies: [{ name: 'survivor', value: 'yes', domain: '127.0.0.1', path: '/', expires }],
    });
    // The cookie store writes to disk every 30 s or after 512 changes; force the batch out so
    // the crash test does not have to wait.
    const filler = Array.from({ length: 520 }, (_, i) => ({
      name: `f${i}`,
      value: 'x',
      domain: `filler${i}.example`,
      path: '/',
      expires,
    }));
    await client.send('Storage.setCookies', { cookies: filler });
    await client.close();
    // the write happens on a background sequence: wait until the store is on disk
    const store = join(rt.paths.profile, 'Default', 'Cookies');
    await waitUntil(
      () =>
        [store, `${store}-journal`].some(
          (f) => existsSync(f) && readFileSync(f).includes('survivor'),
        ),
      40_000,
      100,
    );

    const oldPid = rt.chromiumPid as number;
    const exits: ChromiumExit[] = [];
    const off = rt.on('chromiumExited', (e) => exits.push(e));
    const restarted = new Promise<ChromiumRestart>((resolve) => rt.once('restarted', resolve));
    process.kill(oldPid, 'SIGKILL');
    const info = await restarted;
    off();
    expect(exits[0]).toMatchObject({ signal: 'SIGKILL', expected: false });
    expect(states).toContain('restarting');
    expect(rt.state).toBe('running');
    expect(rt.restartCount).toBe(1);
    expect(info.restartCount).toBe(1);
    expect(info.pid).not.toBe(oldPid);
    expect(pidAlive(oldPid)).toBe(false);

    const after = await CdpClient.connect(rt.cdpWebSocketUrl());
    try {
      const { cookies } = await after.send<{ cookies: Array<{ name: string; value: string }> }>(
        'Storage.getCookies',
      );
      expect(cookies.find((c) => c.name === 'survivor')?.value).toBe('yes');
    } finally {
      await after.close();
    }
  });

  it('stops cleanly: processes, display lock and socket are gone, the profile stays', async () => {
    const rt = env.runtime;
    const chromium = rt.chromiumPid as number;
    const xvfb = rt.xvfbPid as number;
    const displayNumber = rt.display.slice(1);
    const exits: ChromiumExit[] = [];
    rt.on('chromiumExited', (e) => exits.push(e));
    await rt.stop();
    expect(rt.state).toBe('stopped');
    expect(exits[0]?.expected).toBe(true);
    await waitUntil(() => !groupAlive(chromium) && !pidAlive(xvfb), 5000);
    expect(existsSync(`/tmp/.X${displayNumber}-lock`)).toBe(false);
    expect(existsSync(`/tmp/.X11-unix/X${displayNumber}`)).toBe(false);
    expect(readdirSync(rt.paths.profile)).toContain('Default');
    expect(() => rt.cdpWebSocketUrl()).toThrow(RuntimeError);
  });

  it('starts again on the same profile, resizes within its framebuffer, and kill() ends it', async () => {
    const rt = env.runtime;
    await rt.start({
      sessionId: 'test',
      sessionDir: join(env.dir, 'session'),
      width: 800,
      height: 600,
      maxWidth: 1024,
      maxHeight: 768,
    });
    expect(rt.state).toBe('running');
    expect(rt.size).toEqual({ width: 800, height: 600 });
    expect(await rt.setDisplaySize(4000, 3000)).toEqual({ width: 1024, height: 768 });
    expect(await rt.setDisplaySize(640, 480)).toEqual({ width: 640, height: 480 });
    const x = await rt.connectX({ shm: false });
    expect(await x.rootSize()).toEqual({ width: 640, height: 480 });
    const source = await DisplayFrameSource.open({ display: rt.display, auth: rt.xAuthCookie });
    const closed = new Promise((resolve) => source.onClose(resolve));
    const chromium = rt.chromiumPid as number;
    const xvfb = rt.xvfbPid as number;
    await rt.kill();
    expect(rt.state).toBe('stopped');
    await waitUntil(() => !groupAlive(chromium) && !pidAlive(xvfb), 5000);
    // consumers of a dead display learn about it instead of hanging
    expect(await closed).toMatchObject({ code: 'x_closed' });
    await expect(x.rootSize()).rejects.toMatchObject({ code: 'x_closed' });
    await source.close();
  });
});

describe('session runtime errors', () => {
  it('rejects bad options and refuses to start without a slot', async () => {
    const rt = new SessionRuntime();
    await expect(
      rt.start({ sessionId: '../x', sessionDir: '/tmp/x', width: 800, height: 600 }),
    ).rejects.toMatchObject({ code: 'invalid_options' });
    await expect(
      rt.start({ sessionId: 'ok', sessionDir: '/tmp/x', width: 10, height: 600 }),
    ).rejects.toMatchObject({ code: 'invalid_options' });
    const slots = new SlotLimiter({ maxSlots: 0 });
    const failed: RuntimeError[] = [];
    rt.on('failed', (e) => failed.push(e));
    await expect(
      rt.start({ sessionId: 'ok', sessionDir: '/tmp/bp-never', width: 800, height: 600, slots }),
    ).rejects.toMatchObject({ code: 'no_capacity' });
    expect(failed[0]?.code).toBe('no_capacity');
    expect(rt.state).toBe('failed');
    await expect(rt.setDisplaySize(100, 100)).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('the CDP client reports protocol errors and closed connections with stable codes', async () => {
    const env = await startTestRuntime({
      width: 640,
      height: 480,
      restart: { maxRestarts: 1, initialDelayMs: 50 },
    });
    try {
      const client = await CdpClient.connect(env.runtime.cdpWebSocketUrl());
      await expect(client.send('No.suchMethod')).rejects.toMatchObject({ code: 'protocol_error' });
      const version = await client.send<{ product: string }>('Browser.getVersion');
      expect(version.product).toMatch(/Chrom/);
      // a command still waiting (a promise that never settles, on a page) when the socket closes
      const { targetInfos } = await client.send<{
        targetInfos: Array<{ targetId: string; type: string }>;
      }>('Target.getTargets');
      const page = targetInfos.find((t) => t.type === 'page');
      if (!page) throw new Error('no page target');
      const session = await client.attach(page.targetId);
      const pending = session
        .send('Runtime.evaluate', { expression: 'new Promise(() => {})', awaitPromise: true })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      await client.close();
      const err = await pending;
      expect(err).toBeInstanceOf(CdpError);
      expect(err).toMatchObject({ code: 'closed' });
      await expect(client.send('Browser.getVersion')).rejects.toMatchObject({ code: 'closed' });
      await expect(CdpClient.connect('ws://127.0.0.1:1/devtools')).rejects.toMatchObject({
        code: 'connect_failed',
      });

      // a crash loop ends in `failed` with everything torn down
      const rt = env.runtime;
      const failed = new Promise<RuntimeError>((resolve) => rt.once('failed', resolve));
      const restarted = new Promise((resolve) => rt.once('restarted', resolve));
      process.kill(rt.chromiumPid as number, 'SIGKILL');
      await restarted;
      const xvfb = rt.xvfbPid as number;
      process.kill(rt.chromiumPid as number, 'SIGKILL');
      expect((await failed).code).toBe('restart_limit');
      expect(rt.state).toBe('failed');
      await waitUntil(() => !pidAlive(xvfb), 5000);
    } finally {
      await env.dispose();
    }
  });

  it('fails when its display dies', async () => {
    const env = await startTestRuntime({ width: 640, height: 480 });
    try {
      const rt = env.runtime;
      const chromium = rt.chromiumPid as number;
      const failed = new Promise<RuntimeError>((resolve) => rt.once('failed', resolve));
      process.kill(rt.xvfbPid as number, 'SIGKILL');
      expect((await failed).code).toBe('xvfb_failed');
      expect(rt.state).toBe('failed');
      await waitUntil(() => !groupAlive(chromium), 5000);
    } finally {
      await env.dispose();
    }
  });
});
