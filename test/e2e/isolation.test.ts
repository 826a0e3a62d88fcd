import { existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBridge } from '../../workers/mcp-bridge/src/index.ts';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  type ConsoleWindow,
  signIn,
  startSession,
  waitForFrames,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { PAGES, startTestSite } from './support/test-site.ts';
import { remotePage } from './support/workspace.ts';

/** What a page load that never reaches its target says (refused by the sandbox's routes or pasta). */
const UNREACHABLE =
  /ERR_(CONNECTION_REFUSED|NETWORK_ACCESS_DENIED|ADDRESS_UNREACHABLE|CONNECTION_TIMED_OUT|TIMED_OUT|CONNECTION_RESET|EMPTY_RESPONSE)/;

/** The host's own IPv4 address on a real interface (what a careless host service listens on). */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('this machine has no non-loopback IPv4 address');
}

PAGES['/leak'] = `<!doctype html><html><head><title>Downloads</title></head><body>
<a id="save" download="escape.txt" href="data:text/plain,not%20for%20the%20host">save</a>
<div id="colour" style="width:400px;height:300px;background:rgb(20,120,220)"></div></body></html>`;

describe('tenant isolation: a user’s own remote browser cannot reach the host or other tenants', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let site: Awaited<ReturnType<typeof startTestSite>>;
  let careless: Server;
  let carelessPort: number;
  let browser: Browser;
  let attacker: Page;
  let victim: Page;
  let attackerSession: string;
  let victimSession: string;
  let remote: Browser;

  /** Opens `url` in a new tab of the attacker's own remote browser; the error text if it fails. */
  const open = async (url: string): Promise<string> => {
    const tab = await remote.contexts()[0]?.newPage();
    if (!tab) throw new Error('no context in the remote browser');
    try {
      const res = await tab.goto(url, { timeout: 20_000 });
      return `loaded ${res?.status() ?? ''}: ${(await tab.textContent('body'))?.slice(0, 80)}`;
    } catch (err) {
      return (err as Error).message.split('\n')[0] as string;
    } finally {
      await tab.close().catch(() => undefined);
    }
  };

  beforeAll(async () => {
    site = await startTestSite();
    careless = createServer((s) => s.end('HTTP/1.0 200 OK\r\n\r\nhost secret\n'));
    await new Promise<void>((r) => careless.listen(0, '0.0.0.0', r));
    carelessPort = (careless.address() as { port: number }).port;
    fx = await startStackFixture({ sites: [site.url], mcpBridge: { port: 0 } });
    browser = await launchClientBrowser();
    victim = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    await signIn(victim, fx.stack.url, 'demo2', 'demo2-demo2');
    victimSession = await startSession(victim);
    attacker = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    await signIn(attacker, fx.stack.url);
    attackerSession = await startSession(attacker);
    remote = await fx.cdp(attackerSession);
  });

  afterAll(async () => {
    await remote?.close().catch(() => undefined);
    await browser?.close();
    await fx?.stop();
    await site?.close();
    careless?.close();
  });

  it('refuses host files: /etc/shadow typed into the live view, the edge’s secrets, another tenant’s cookies', async () => {
    // The victim's browser keeps a cookie, so its profile has a Cookies database to steal.
    const victimRemote = await fx.cdp(victimSession);
    const victimPage = await remotePage(victimRemote);
    await victimPage.goto(`${site.url}/`);
    await victimPage.evaluate(() =>
      (
        globalThis as unknown as {
          cookieStore: { set(o: { name: string; value: string; expires: number }): Promise<void> };
        }
      ).cookieStore.set({
        name: 'session',
        value: 'victim-secret',
        expires: Date.now() + 86_400_000,
      }),
    );
    await victimRemote.close();
    const victimCookies = join(
      fx.live(victimSession).diagnostics().profileDir,
      'Default',
      'Cookies',
    );
    await expect.poll(() => existsSync(victimCookies), { timeout: 60_000 }).toBe(true);
    const secrets = join(fx.dataDir, 'edge-dev-secrets.json');
    expect(existsSync(secrets)).toBe(true);

    // As a person would: the address bar of their own remote browser, through the live view.
    // The tab then shows the browser's error page (its URL is chrome-error://…) naming the file.
    const shown = async () => {
      const page = await remotePage(remote);
      return page.url().startsWith('chrome-error:') ? (await page.content()).toLowerCase() : '';
    };
    // A person whose first keystrokes went to the page rather than the address bar types again.
    for (
      let attempt = 0;
      attempt < 3 && !(await shown()).includes('file:///etc/shadow');
      attempt++
    ) {
      await attacker.keyboard.press('Control+L');
      await attacker.waitForTimeout(400);
      await attacker.keyboard.type('file:///etc/shadow', { delay: 20 });
      await attacker.keyboard.press('Enter');
      await expect
        .poll(shown, { timeout: 10_000 })
        .toContain('file:///etc/shadow')
        .catch(() => undefined);
    }
    expect(await shown()).toContain('file:///etc/shadow');
    expect(await shown()).not.toContain('root:');
    expect(await shown()).toMatch(/blocked/);

    for (const file of ['/etc/shadow', secrets, victimCookies])
      expect(await open(`file://${file}`), file).toMatch(/ERR_BLOCKED_BY_ADMINISTRATOR/);
  });

  it('cannot reach the host’s services: MCP bridge, relay plain port, host address, cloud metadata', async () => {
    const bridge = fx.stack.mcpBridge as RunningBridge;
    const targets = {
      bridge: `http://127.0.0.1:${bridge.port}/health`,
      relayPlain: `http://127.0.0.1:${fx.stack.plainPort}/healthz`,
      edge: `${fx.stack.url.replace('localhost', '127.0.0.1')}/healthz`,
      hostAddress: `http://${hostAddress()}:${carelessPort}/`,
      metadata: 'http://169.254.169.254/latest/meta-data/',
    };
    // each is up, seen from the host
    for (const url of [targets.bridge, targets.relayPlain, targets.edge])
      expect((await fetch(url)).ok, url).toBe(true);
    // … and refused from the session's browser
    for (const [name, url] of Object.entries(targets))
      expect(await open(url), name).toMatch(UNREACHABLE);
    // while the page server the operator allowed stays reachable
    expect(await open(`${site.url}/next`)).toMatch(/^loaded 200/);
  });

  it('lands downloads only in the session’s downloads folder', async () => {
    const sessionDir = join(fx.dataDir, 'host', 'sessions', attackerSession);
    const elsewhere = `/tmp/bp-escape-${process.pid}`;
    const page = await remotePage(remote);
    await page.goto(`${site.url}/leak`);
    const cdp = await remote.newBrowserCDPSession();
    const finished = () =>
      new Promise<string>((resolve) => {
        cdp.on('Browser.downloadProgress', (e) => {
          if (e.state === 'completed' || e.state === 'canceled') resolve(e.state);
        });
      });
    // A DevTools client may point downloads anywhere it likes …
    await cdp.send('Browser.setDownloadBehavior', {
      behavior: 'allow',
      downloadPath: elsewhere,
      eventsEnabled: true,
    });
    let done = finished();
    await page.click('#save');
    expect(await done).toBe('completed');
    // … but that is inside the sandbox's own /tmp: nothing reaches the host's
    expect(existsSync(join(elsewhere, 'escape.txt'))).toBe(false);
    expect(existsSync(elsewhere)).toBe(false);
    // the session's downloads folder is where the browser's downloads land on the host
    await cdp.send('Browser.setDownloadBehavior', {
      behavior: 'allowAndName',
      downloadPath: join(sessionDir, 'downloads'),
      eventsEnabled: true,
    });
    const before = readdirSync(join(sessionDir, 'downloads')).length;
    done = finished();
    await page.click('#save');
    expect(await done).toBe('completed');
    expect(readdirSync(join(sessionDir, 'downloads')).length).toBe(before + 1);
    await cdp.detach();
  });

  it('still serves both owners afterwards: the live view picture follows the page', async () => {
    const frames = () =>
      attacker.evaluate(
        () => (window as unknown as ConsoleWindow).bpClient?.stats().framesPresented ?? 0,
      );
    const page = await remotePage(remote);
    await page.goto(`${site.url}/leak`);
    await page.bringToFront();
    const before = await frames();
    await page.evaluate(() => {
      (document.getElementById('colour') as HTMLElement).style.background = 'rgb(220,40,40)';
    });
    await waitForFrames(attacker, before + 1, 20_000);
    expect(fx.live(attackerSession).state()).toBe('running');
    expect(fx.live(attackerSession).restarts()).toBe(0);
    expect(fx.live(victimSession).state()).toBe('running');
    const victimFrames = await victim.evaluate(
      () => (window as unknown as ConsoleWindow).bpClient?.stats().framesPresented ?? 0,
    );
    expect(victimFrames).toBeGreaterThan(0);
  });
});
