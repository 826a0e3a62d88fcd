// browserbase and browser-use against local fakes of their REST contracts; the CDP URL they hand
// out is a local Chromium, so slices really run.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CdpChromium, startCdpChromium } from '../../../test/support/cdp-chromium.ts';
import { type FakeVendor, fakeBrowserbase, fakeBrowserUse } from './helpers/fake-vendors.ts';
import { byType, last, Sidecar } from './helpers/sidecar.ts';
import { type Site, startSite } from './helpers/site.ts';

let site: Site;
let chromium: CdpChromium;

beforeAll(async () => {
  site = await startSite();
  chromium = await startCdpChromium();
});

afterAll(async () => {
  await chromium?.close();
  await site?.close();
});

describe('browserbase', () => {
  let fake: FakeVendor;
  beforeAll(async () => {
    fake = await fakeBrowserbase(chromium.wsUrl, 'bb-key');
  });
  afterAll(async () => {
    await fake?.close();
  });
  const env = (extra: Record<string, string> = {}) => ({
    WB_BROWSER_VENDOR: 'browserbase',
    BROWSERBASE_API_URL: fake.url,
    BROWSERBASE_API_KEY: 'bb-key',
    BROWSERBASE_PROJECT_ID: 'proj-1',
    ...extra,
  });

  it('creates a session, runs the slice over CDP and releases at shutdown', async () => {
    fake.calls.length = 0;
    const sidecar = new Sidecar(
      env({ BROWSERBASE_PROXIES: '1', BROWSERBASE_ADVANCED_STEALTH: 'true' }),
    );
    await sidecar.hello();
    const frames = await sidecar.slice({
      session: 'bb',
      profile: 'ignored-profile',
      verbs: [
        { goto: `${site.url}/list` },
        { extract: { selector: '.row', fields: { name: '.name' } } },
      ],
    });
    expect(last(frames).type).toBe('slice.complete');
    expect(frames[0]).toMatchObject({
      type: 'slice.session_started',
      session: 'bb',
      session_id: 'bb-session-1',
      live_url: 'https://live.example/devtools/bb-session-1',
      vendor: 'browserbase',
      restored: false,
    });
    expect(byType(frames, 'verb.complete')[1]?.summary).toBe('.row → 3 rows');
    const [create, debug] = fake.calls;
    expect(create).toMatchObject({
      method: 'POST',
      path: '/v1/sessions',
      headers: { 'x-bb-api-key': 'bb-key', 'content-type': 'application/json' },
      body: {
        projectId: 'proj-1',
        keepAlive: false,
        browserSettings: { advancedStealth: true },
        proxies: true,
      },
    });
    expect(debug).toMatchObject({ method: 'GET', path: '/v1/sessions/bb-session-1/debug' });
    expect(await sidecar.shutdown()).toEqual({ code: 0, signal: null });
    expect(fake.calls.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/sessions/bb-session-1',
      body: { projectId: 'proj-1', status: 'REQUEST_RELEASE' },
    });
    // the remote browser is the vendor's: still running
    expect(chromium.process.exitCode).toBeNull();
  });

  it('retries 5xx on create', async () => {
    fake.calls.length = 0;
    fake.createFailures = [500, 503];
    const sidecar = new Sidecar(env());
    await sidecar.hello();
    const frames = await sidecar.slice({ verbs: [{ goto: `${site.url}/form` }] });
    expect(last(frames).type).toBe('slice.complete');
    expect(fake.calls.filter((c) => c.path === '/v1/sessions')).toHaveLength(3);
    await sidecar.shutdown();
    expect(sidecar.stderr).toContain('[retry] browserbase: create session attempt 1/3 (HTTP 500)');
    expect(sidecar.stderr).toContain('[retry] browserbase: create session attempt 2/3 (HTTP 503)');
  });

  it('maps 401/403 to AUTH_FAILED and persistent 5xx to SESSION_ALLOCATE_FAILED', async () => {
    const wrongKey = new Sidecar(env({ BROWSERBASE_API_KEY: 'wrong' }));
    await wrongKey.hello();
    const denied = await wrongKey.slice({ verbs: [{ goto: site.url }] });
    expect(denied).toEqual([
      {
        type: 'slice.failed',
        code: 'AUTH_FAILED',
        error: expect.stringMatching(
          /^session start failed: browserbase: create session: HTTP 401/,
        ),
      },
    ]);
    await wrongKey.shutdown();

    const sidecar = new Sidecar(env());
    await sidecar.hello();
    fake.createStatus = 403;
    expect((await sidecar.slice({ verbs: [] }))[0]).toMatchObject({ code: 'AUTH_FAILED' });
    fake.calls.length = 0;
    fake.createStatus = 502;
    expect((await sidecar.slice({ verbs: [] }))[0]).toMatchObject({
      code: 'SESSION_ALLOCATE_FAILED',
      error: expect.stringContaining('HTTP 502'),
    });
    expect(fake.calls).toHaveLength(3);
    fake.createStatus = null;
    fake.omitCdpUrl = true;
    expect((await sidecar.slice({ verbs: [] }))[0]).toMatchObject({
      code: 'SESSION_ALLOCATE_FAILED',
    });
    fake.omitCdpUrl = false;
    // and a later slice gets a session after all
    expect(last(await sidecar.slice({ verbs: [] })).type).toBe('slice.complete');
    await sidecar.shutdown();
  });

  it('missing credentials are INTERNAL_ERROR', async () => {
    const sidecar = new Sidecar({
      WB_BROWSER_VENDOR: 'browserbase',
      BROWSERBASE_API_URL: fake.url,
    });
    await sidecar.hello();
    expect((await sidecar.slice({ verbs: [] }))[0]).toMatchObject({
      type: 'slice.failed',
      code: 'INTERNAL_ERROR',
      error:
        'session start failed: browserbase: BROWSERBASE_API_KEY and BROWSERBASE_PROJECT_ID must be set',
    });
    await sidecar.shutdown();
  });
});

describe('browser-use', () => {
  let fake: FakeVendor;
  beforeAll(async () => {
    fake = await fakeBrowserUse(chromium.wsUrl, 'bu-key');
  });
  afterAll(async () => {
    await fake?.close();
  });
  const env = (extra: Record<string, string> = {}) => ({
    WB_BROWSER_VENDOR: 'browser-use',
    BROWSER_USE_API_URL: `${fake.url}/api/v3`,
    BROWSER_USE_API_KEY: 'bu-key',
    ...extra,
  });

  it('creates a browser with profile, proxy and timeout, and stops it at shutdown', async () => {
    fake.calls.length = 0;
    const sidecar = new Sidecar(
      env({
        BROWSER_USE_PROFILE_ID: 'env-profile',
        BROWSER_USE_PROXY_COUNTRY: 'null',
        BROWSER_USE_TIMEOUT_MIN: '15',
      }),
    );
    await sidecar.hello();
    const frames = await sidecar.slice({
      profile: 'block-profile',
      verbs: [{ goto: `${site.url}/form` }],
    });
    expect(last(frames).type).toBe('slice.complete');
    expect(frames[0]).toMatchObject({
      session_id: 'bu-1',
      live_url: 'https://live.browser-use.example/bu-1',
      vendor: 'browser-use',
    });
    expect(fake.calls[0]).toMatchObject({
      method: 'POST',
      path: '/api/v3/browsers',
      headers: { 'x-browser-use-api-key': 'bu-key' },
      body: { profileId: 'block-profile', proxyCountryCode: null, timeout: 15 },
    });
    expect(await sidecar.shutdown()).toEqual({ code: 0, signal: null });
    expect(fake.calls.at(-1)).toMatchObject({
      method: 'PATCH',
      path: '/api/v3/browsers/bu-1',
      body: { action: 'stop' },
    });
  });

  it('sends only the keys that are set', async () => {
    fake.calls.length = 0;
    const sidecar = new Sidecar(
      env({ BROWSER_USE_PROFILE_ID: 'env-profile', BROWSER_USE_PROXY_COUNTRY: 'de' }),
    );
    await sidecar.hello();
    await sidecar.slice({ verbs: [] });
    expect(fake.calls[0]?.body).toEqual({ profileId: 'env-profile', proxyCountryCode: 'de' });
    await sidecar.shutdown();
  });

  it('maps errors: 403 → AUTH_FAILED, no cdpUrl → SESSION_ALLOCATE_FAILED', async () => {
    const sidecar = new Sidecar(env());
    await sidecar.hello();
    fake.createStatus = 403;
    expect((await sidecar.slice({ verbs: [] }))[0]).toMatchObject({ code: 'AUTH_FAILED' });
    fake.createStatus = null;
    fake.omitCdpUrl = true;
    expect((await sidecar.slice({ verbs: [] }))[0]).toMatchObject({
      code: 'SESSION_ALLOCATE_FAILED',
      error: 'session start failed: browser-use: create browser: response has no cdpUrl',
    });
    fake.omitCdpUrl = false;
    await sidecar.shutdown();
  });

  it('pauses, suspends without releasing, and a new process re-attaches on resume', async () => {
    fake.calls.length = 0;
    const slice = {
      session: 'human',
      verbs: [
        { goto: `${site.url}/form` },
        { fill: { selector: '#name', value: 'before pause' } },
        { pause_for_human: 'Log in please' },
        { eval: "return document.querySelector('#name').value" },
      ],
    };
    const first = new Sidecar(env());
    await first.hello();
    const paused = await first.slice(slice);
    const frame = last(paused);
    expect(frame).toMatchObject({
      type: 'slice.paused',
      message: 'Log in please',
      verb_index: 2,
      sidecar_state: {
        verb_index: 2,
        session: {
          vendor: 'browser-use',
          name: 'human',
          sid: expect.stringMatching(/^bu-\d+$/),
          cdpUrl: chromium.wsUrl,
        },
      },
    });
    const sid = (frame.sidecar_state as { session: { sid: string } }).session.sid;
    first.send({ type: 'suspend' });
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(fake.calls.filter((c) => c.method === 'PATCH')).toHaveLength(0);

    const second = new Sidecar(env());
    await second.hello();
    const resumed = await second.slice({
      ...slice,
      restore: { state: frame.sidecar_state, signal: { action: 'Resume' } },
    });
    expect(resumed.map((f) => f.type)).toEqual([
      'slice.session_started',
      'verb.complete',
      'slice.complete',
    ]);
    expect(resumed[0]).toMatchObject({
      session_id: sid,
      restored: true,
      live_url: `https://live.browser-use.example/${sid}`,
    });
    expect(second.lines).toContain('"before pause"');
    expect(fake.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    await second.shutdown();
    expect(fake.calls.at(-1)).toMatchObject({ method: 'PATCH', path: `/api/v3/browsers/${sid}` });
  });
});
