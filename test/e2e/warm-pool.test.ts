import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HOST_WAKE_AUDIENCE, HOST_WAKE_PATH } from '@browserpane/protocol';
import { generateKeyPair, SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  type ConsoleWindow,
  signIn,
  startSession,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';

const METRICS_TOKEN = 'host-metrics-token-for-e2e';

describe('warm pool and host metrics (real stack, sandboxed runtimes)', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let browser: Browser & { cleanup(): void };
  let owner: Page;

  const pool = () => {
    const p = fx.stack.host?.warmPool;
    if (!p) throw new Error('the host keeps no warm pool');
    return p;
  };
  const scrape = (authorization?: string) =>
    fetch(`http://127.0.0.1:${fx.stack.plainPort}/metrics`, {
      headers: authorization ? { authorization } : {},
    });

  beforeAll(async () => {
    fx = await startStackFixture({ warmRuntimes: 1, metricsToken: METRICS_TOKEN });
    browser = await launchClientBrowser();
    const context = await browser.newContext({ viewport: CONSOLE_VIEWPORT });
    owner = await context.newPage();
    await signIn(owner, fx.stack.url);
  });

  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('hands a new session a warm sandboxed runtime, never reuses it, and starts a fresh one', async () => {
    await expect.poll(() => pool().waiting().length, { timeout: 60_000 }).toBe(1);
    const [warm] = pool().waiting();
    expect(warm?.uid, 'a root agent gives each warm runtime a user id of its own').toBeGreaterThan(
      0,
    );

    const sessionId = await startSession(owner);
    const live = fx.live(sessionId);
    const { profileDir, uid } = live.diagnostics();
    expect(basename(dirname(profileDir))).toBe(warm?.name);
    expect(uid).toBe(warm?.uid);
    // the session's own directory name leads to the runtime it took (a later cold start finds it)
    const home = join(fx.dataDir, 'host', 'sessions', sessionId);
    expect(lstatSync(home).isSymbolicLink()).toBe(true);
    expect(readlinkSync(home)).toBe(warm?.name);

    // the pool starts another runtime for the next session: a new directory and user id
    await expect.poll(() => pool().waiting().length, { timeout: 60_000 }).toBe(1);
    const [next] = pool().waiting();
    expect(next?.name).not.toBe(warm?.name);
    expect(next?.uid).not.toBe(uid);

    // the session shows its picture, sized to the console
    const frames = await owner.evaluate(
      () => (window as unknown as ConsoleWindow).bpClient?.stats().framesPresented ?? 0,
    );
    expect(frames).toBeGreaterThan(0);
    expect(live.display()).toEqual({ width: 1280, height: 720 });

    // stopped and started again, it runs cold on its own profile, not on another warm runtime
    const token = await owner.evaluate(
      () => JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
    );
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${fx.stack.url}/api/v1/sessions/${sessionId}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    expect((await call('POST', '/kill')).status).toBe(200);
    await expect
      .poll(() => fx.stack.host?.sessions.live(sessionId), { timeout: 30_000 })
      .toBe(undefined);
    expect(existsSync(profileDir), 'the profile stays on the host after a stop').toBe(true);
    // the edge hears of the stop with the host's next report; a reconnect before that is refused
    // (`session_not_running`, the session is still stopping), so wait for `stopped` first
    await expect
      .poll(async () => ((await (await call('GET', '')).json()) as { state?: string }).state, {
        timeout: 30_000,
      })
      .toBe('stopped');
    const reconnect = await call('POST', '/access-tokens', { role: 'owner' });
    const reconnected = `${reconnect.status} ${await reconnect.text()}`;
    expect(reconnected, 'the owner reconnecting restarts the stopped session').toMatch(
      /^(200|201) |"session_queued"/,
    );
    await expect
      .poll(() => fx.stack.host?.sessions.live(sessionId)?.state(), { timeout: 60_000 })
      .toBe('running');
    const again = fx.live(sessionId).diagnostics();
    expect(again.profileDir).toBe(profileDir);
    expect(again.uid).not.toBe(next?.uid);
    expect(
      pool()
        .waiting()
        .map((w) => w.name),
    ).toEqual([next?.name]);
  });

  it('is woken by the edge when a session is placed on it; its wake door refuses strangers', async () => {
    // the sessions above were placed by the edge, which then called the host's wake door
    expect(fx.logs.filter((l) => l.includes('"msg":"woken by the edge"')).length).toBeGreaterThan(
      0,
    );
    const knock = (authorization?: string, method = 'POST') =>
      fetch(`http://127.0.0.1:${fx.stack.plainPort}${HOST_WAKE_PATH}`, {
        method,
        headers: authorization ? { authorization } : {},
      });
    expect((await knock()).status).toBe(401);
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ hid: fx.stack.host?.hostId })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'forged' })
      .setIssuer(fx.stack.url)
      .setAudience(HOST_WAKE_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('30s')
      .sign(privateKey);
    const refused = await knock(`Bearer ${forged}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('wake token refused');
    expect((await knock(`Bearer ${forged}`, 'GET')).status).toBe(405);
  });

  it('serves /metrics to the metrics token only', async () => {
    expect((await scrape()).status).toBe(401);
    const wrong = await scrape('Bearer not-the-metrics-token');
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain('browserpane_host');
    const res = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^browserpane_host_warm_runtimes 1$/m);
    expect(text).toMatch(/^browserpane_host_warm_runtimes_target 1$/m);
    expect(text).toMatch(/^browserpane_host_sessions\{state="running"\} 1$/m);
    expect(text).toContain('# TYPE browserpane_host_clients gauge');
    expect(text).toMatch(/^browserpane_host_bytes_out_total\{channel="tiles"\} [1-9]\d*$/m);
    expect(text).toMatch(/^browserpane_host_encode_seconds_count [1-9]\d*$/m);
  });
});
