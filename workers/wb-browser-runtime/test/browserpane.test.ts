// The `browserpane` vendor against the real local stack: sessions on a BrowserPane host, attached
// through its CDP gateway, with the console join link as live URL and a real hand-off on pause.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionStatus } from '@browserpane/api';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchClientBrowser } from '../../../test/e2e/support/browser.ts';
import { signIn, waitForFrames } from '../../../test/e2e/support/console-driver.ts';
import { type BrowserPaneStack, startBrowserPaneStack } from './helpers/browserpane-stack.ts';
import { byType, type Frame, last, Sidecar } from './helpers/sidecar.ts';
import { type Site, startSite } from './helpers/site.ts';
import { tempDir } from './helpers/tmp.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Status = SessionStatus;

let bp: BrowserPaneStack;
let site: Site;
let demo: string;
const artifacts = tempDir();

beforeAll(async () => {
  site = await startSite();
  bp = await startBrowserPaneStack({ sites: [site.url] });
  demo = await bp.login('demo', 'demo-demo');
}, 180_000);

afterAll(async () => {
  // the sessions' browsers hold connections to the site: stop them first
  await bp?.stop();
  await site?.close();
  artifacts.remove();
});

const env = (extra: Record<string, string> = {}) => ({
  WB_BROWSER_VENDOR: 'browserpane',
  BROWSERPANE_API_URL: bp.url,
  BROWSERPANE_TOKEN: demo,
  WB_ARTIFACTS_DIR: artifacts.path,
  PARACORD_RELAY_API_KEY: 'relay-key',
  PARACORD_RELAY_URL: `${site.url}/relay`,
  ...extra,
});
const status = async (id: string) =>
  (await bp.api<Status>('GET', `/api/v1/sessions/${id}/status`, demo)).body;
const noSecrets = (sidecar: Sidecar) => {
  expect(sidecar.stdout).not.toContain(demo);
  expect(sidecar.stderr).not.toContain(demo);
  expect(sidecar.stdout).not.toMatch(/ticket=|Bearer /);
};

describe('browserpane vendor', () => {
  it('creates a session, runs every verb on it through the CDP gateway, and stops it at shutdown', async () => {
    const sidecar = new Sidecar(env());
    await sidecar.hello();
    const frames = await sidecar.slice(
      {
        session: 'bp',
        verbs: [
          { goto: `${site.url}/form` },
          { fill: { selector: '#name', value: 'Ada' } },
          { click: '#submit' },
          { wait_for: '#result' },
          { assert: { selector: '#result', text_contains: 'Hello Ada' } },
          { press: { key: 'Enter', selector: '#name' } },
          { wait_for_network_idle: 5000 },
          { screenshot: 'bp-shot.png' },
          { eval: 'return document.title' },
          { save: 'title' },
          { announce_artifact: { path: 'bp-shot.png', label: 'Shot' } },
          { goto: `${site.url}/list` },
          { extract: { selector: '.row', fields: { name: '.name' } } },
          { goto: `${site.url}/downloads` },
          { download: '#file' },
          {
            wait_for_drop: {
              folder_url: 'https://drive.google.com/drive/folders/abc123',
              poll_every: 2,
              timeout: 30,
            },
          },
        ],
      },
      90_000,
    );
    expect(last(frames).type, JSON.stringify(frames.slice(-3))).toBe('slice.complete');
    const started = frames[0] as Frame;
    expect(started).toMatchObject({
      type: 'slice.session_started',
      session: 'bp',
      vendor: 'browserpane',
      restored: false,
    });
    const id = String(started.session_id);
    expect(id).toMatch(UUID);
    expect(started.live_url).toBe(`${bp.url}/?session=${id}`);
    expect(byType(frames, 'verb.complete').map((f) => f.verb)).toEqual([
      'goto',
      'fill',
      'click',
      'wait_for',
      'assert',
      'press',
      'wait_for_network_idle',
      'screenshot',
      'eval',
      'save',
      'announce_artifact',
      'goto',
      'extract',
      'goto',
      'download',
      'wait_for_drop',
    ]);
    expect(existsSync(join(artifacts.path, 'bp-shot.png'))).toBe(true);
    // the browser runs in the host's sandbox: the file comes from the session's recorded files
    expect(readFileSync(join(artifacts.path, 'report.csv'), 'utf8')).toBe('file report.csv\n');
    expect(sidecar.lines).toContain('"form"');

    // The runtime is an automation connection of the session, delegated to its owner itself.
    const live = await status(id);
    expect(live.automation_owner?.principal_id).toBe('demo');
    expect(live.automation_connections).toContainEqual(
      expect.objectContaining({ role: 'automation', principal: 'demo', client: 'cdp' }),
    );

    // Every verb's failure, on the same live session.
    const failures: [unknown[], string, string][] = [
      [[{ goto: { url: `${site.url}/api/slow?ms=3000`, timeout: 300 } }], 'goto', 'NAV_TIMEOUT'],
      [
        [{ goto: `${site.url}/form` }, { fill: { selector: '#nope', value: 'x', timeout: 300 } }],
        'fill',
        'SELECTOR_NOT_FOUND',
      ],
      [[{ click: { selector: '#hidden-btn', timeout: 300 } }], 'click', 'SELECTOR_NOT_FOUND'],
      [
        [{ press: { key: 'Enter', selector: '#nope', timeout: 300 } }],
        'press',
        'SELECTOR_NOT_FOUND',
      ],
      [[{ wait_for: { selector: '#nope', timeout: 300 } }], 'wait_for', 'SELECTOR_NOT_FOUND'],
      [
        [{ goto: `${site.url}/busy` }, { wait_for_network_idle: 800 }],
        'wait_for_network_idle',
        'NAV_TIMEOUT',
      ],
      [[{ screenshot: '/abs.png' }], 'screenshot', 'INTERNAL_ERROR'],
      [
        [{ goto: `${site.url}/list` }, { extract: { selector: '[[bad' } }],
        'extract',
        'SCRIPT_ERROR',
      ],
      [[{ assert: { selector: '.row', text_contains: 'Omega' } }], 'assert', 'INTERNAL_ERROR'],
      [[{ eval: "throw new Error('boom')" }], 'eval', 'SCRIPT_ERROR'],
      [[{ eval: 'void 0' }, { save: 'empty' }], 'save', 'INTERNAL_ERROR'],
      [
        [{ pause_for_human: { message: 'x', resume_on: 'never' } }],
        'pause_for_human',
        'INTERNAL_ERROR',
      ],
      [[{ wait_for_drop: 'https://example.com/folder' }], 'wait_for_drop', 'INTERNAL_ERROR'],
      [[{ announce_artifact: 'x.csv' }], 'announce_artifact', 'INTERNAL_ERROR'],
      [
        [{ goto: `${site.url}/downloads` }, { download: { selector: '#nothing', timeout: 500 } }],
        'download',
        'INTERNAL_ERROR',
      ],
    ];
    for (const [verbs, verb, code] of failures) {
      const out = await sidecar.slice({ session: 'bp', verbs });
      const failed = byType(out, 'verb.failed')[0];
      expect(failed, `${verb}: ${JSON.stringify(out)}`).toMatchObject({ verb, code });
      expect(last(out)).toMatchObject({ type: 'slice.failed', code });
    }
    expect(byType(sidecar.frames, 'slice.session_started')).toHaveLength(1);

    expect(await sidecar.shutdown()).toEqual({ code: 0, signal: null });
    expect(['stopping', 'stopped']).toContain((await status(id)).state);
    noSecrets(sidecar);
  });

  it('reuses a session named by BROWSERPANE_SESSION_ID or profile_id and gives it back', async () => {
    const created = await bp.api<{ id: string }>('POST', '/api/v1/sessions', demo, {});
    expect(created.status).toBe(201);
    const id = created.body.id;
    const sidecar = new Sidecar(env({ BROWSERPANE_SESSION_ID: id }));
    await sidecar.hello();
    const first = await sidecar.slice(
      { session: 'a', verbs: [{ goto: `${site.url}/form` }] },
      90_000,
    );
    expect(last(first).type).toBe('slice.complete');
    expect(first[0]).toMatchObject({ session_id: id, live_url: `${bp.url}/?session=${id}` });
    const second = await sidecar.slice({
      session: 'b',
      profile: id,
      verbs: [{ eval: 'return location.pathname' }],
    });
    expect(second[0]).toMatchObject({
      type: 'slice.session_started',
      session: 'b',
      session_id: id,
    });
    expect(sidecar.lines).toContain('"/form"');
    expect(await sidecar.shutdown()).toEqual({ code: 0, signal: null });
    const after = await status(id);
    expect(after.state).not.toMatch(/stop/);
    expect(after.automation_owner).toBeNull();
    noSecrets(sidecar);
    await bp.api('POST', `/api/v1/sessions/${id}/kill`, demo, {});
  });

  it('maps refusals: bad token → AUTH_FAILED, unknown session → SESSION_ALLOCATE_FAILED, no config → INTERNAL_ERROR', async () => {
    const badToken = new Sidecar(env({ BROWSERPANE_TOKEN: 'not-a-token' }));
    await badToken.hello();
    expect(await badToken.slice({ verbs: [] })).toEqual([
      {
        type: 'slice.failed',
        code: 'AUTH_FAILED',
        error: expect.stringMatching(/^session start failed: browserpane: .*HTTP 401/),
      },
    ]);
    await badToken.shutdown();

    const unknown = new Sidecar(
      env({ BROWSERPANE_SESSION_ID: '01900000-0000-7000-8000-000000000000' }),
    );
    await unknown.hello();
    expect((await unknown.slice({ verbs: [] }))[0]).toMatchObject({
      type: 'slice.failed',
      code: 'SESSION_ALLOCATE_FAILED',
      error: expect.stringContaining('does not exist or is not shared'),
    });
    await unknown.shutdown();

    const wrongSecret = new Sidecar(
      env({
        BROWSERPANE_TOKEN: '',
        BROWSERPANE_CLIENT_ID: 'workflow-worker',
        BROWSERPANE_CLIENT_SECRET: 'wrong',
      }),
    );
    await wrongSecret.hello();
    expect((await wrongSecret.slice({ verbs: [] }))[0]).toMatchObject({
      type: 'slice.failed',
      code: 'AUTH_FAILED',
      error: expect.stringContaining('client credentials'),
    });
    await wrongSecret.shutdown();

    const missing = new Sidecar({ WB_BROWSER_VENDOR: 'browserpane' });
    await missing.hello();
    expect((await missing.slice({ verbs: [] }))[0]).toMatchObject({
      code: 'INTERNAL_ERROR',
      error: expect.stringContaining('BROWSERPANE_API_URL'),
    });
    await missing.shutdown();
  });

  it('authenticates a service principal with client credentials', async () => {
    const secret = bp.stack.edge.secrets.serviceClients['workflow-worker'] as string;
    const sidecar = new Sidecar(
      env({
        BROWSERPANE_TOKEN: '',
        BROWSERPANE_CLIENT_ID: 'workflow-worker',
        BROWSERPANE_CLIENT_SECRET: secret,
      }),
    );
    await sidecar.hello();
    const frames = await sidecar.slice(
      { verbs: [{ goto: `${site.url}/list` }, { eval: 'return document.title' }] },
      90_000,
    );
    expect(last(frames).type, JSON.stringify(frames)).toBe('slice.complete');
    expect(sidecar.lines).toContain('"list"');
    expect(await sidecar.shutdown()).toEqual({ code: 0, signal: null });
    expect(sidecar.stderr).not.toContain(secret);
    expect(sidecar.stdout).not.toContain(secret);
  });

  it('pause_for_human hands the live browser to a person, and resume continues on it', async () => {
    const slice = {
      session: 'human',
      verbs: [
        { goto: `${site.url}/form` },
        { fill: { selector: '#name', value: 'before pause' } },
        { pause_for_human: 'Please finish the form' },
        { eval: "return document.querySelector('#name').value" },
      ],
    };
    const first = new Sidecar(env());
    await first.hello();
    const paused = await first.slice(slice, 90_000);
    const frame = last(paused);
    const id = String(paused[0]?.session_id);
    const link = `${bp.url}/?session=${id}`;
    expect(frame).toMatchObject({
      type: 'slice.paused',
      message: 'Please finish the form',
      verb_index: 2,
      live_url: link,
      hand_off: { vendor: 'browserpane', session_id: id, live_url: link },
      sidecar_state: {
        verb_index: 2,
        session: {
          vendor: 'browserpane',
          name: 'human',
          sid: id,
          liveUrl: link,
          cdpUrl: expect.stringMatching(new RegExp(`/sessions/${id}/cdp$`)),
        },
      },
    });
    first.send({ type: 'suspend' });
    expect(await first.exited).toEqual({ code: 0, signal: null });
    noSecrets(first);

    // wb has exited; the session lives on, and a person joins through the link.
    expect((await status(id)).automation_owner?.principal_id).toBe('demo');
    const person = await launchClientBrowser();
    let observer: Browser | undefined;
    try {
      const page: Page = await (
        await person.newContext({ viewport: { width: 1540, height: 816 } })
      ).newPage();
      await signIn(page, bp.url);
      await page.goto(link);
      await waitForFrames(page);
      await expect
        .poll(async () => (await status(id)).connection_counts.owner, { timeout: 20_000 })
        .toBe(1);
      const port = bp.stack.host?.sessions.live(id)?.cdpPort();
      observer = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
      const remote = observer
        .contexts()[0]
        ?.pages()
        .find((p) => p.url().startsWith(site.url)) as Page;
      await remote.evaluate(() => (document.querySelector('#name') as HTMLInputElement).focus());
      await page.keyboard.press('End');
      await page.keyboard.type(' and a person', { delay: 20 });
      await expect
        .poll(
          () => remote.evaluate(() => (document.querySelector('#name') as HTMLInputElement).value),
          {
            timeout: 15_000,
          },
        )
        .toBe('before pause and a person');
      await page.close();
      await expect
        .poll(async () => (await status(id)).connection_counts.owner, { timeout: 20_000 })
        .toBe(0);
    } finally {
      await observer?.close().catch(() => undefined);
      await person.close();
    }

    const second = new Sidecar(env());
    await second.hello();
    const resumed = await second.slice(
      { ...slice, restore: { state: frame.sidecar_state, signal: { action: 'Resume' } } },
      90_000,
    );
    expect(resumed.map((f) => f.type)).toEqual([
      'slice.session_started',
      'verb.complete',
      'slice.complete',
    ]);
    expect(resumed[0]).toMatchObject({ session_id: id, restored: true, live_url: link });
    expect(second.lines).toContain('"before pause and a person"');
    expect(await second.shutdown()).toEqual({ code: 0, signal: null });
    expect(['stopping', 'stopped']).toContain((await status(id)).state);
    noSecrets(second);
  });
});
