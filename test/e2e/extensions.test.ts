import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createApi } from '@browserpane/api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAINT, paintArchive } from '../../edge/test/support/extension-archives.ts';
import { launchClientBrowser } from './support/browser.ts';
import {
  CONSOLE_VIEWPORT,
  liveViewPixel,
  signIn,
  waitForFrames,
} from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { startTestSite } from './support/test-site.ts';
import { waitForState } from './support/workflows.ts';

/**
 * An approved extension in a real session: uploaded and approved through the API, named at
 * session creation, fetched and unpacked by the host, loaded by the sandboxed Chromium (its own
 * user), and its content script's change to a test page seen through CDP and in the live view's
 * pixels. The host keeps a warm runtime the whole time: the session must not take it.
 */
describe('approved extensions in a live session (real stack, sandboxed Chromium)', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let site: Awaited<ReturnType<typeof startTestSite>>;
  let browser: Browser & { cleanup(): void };
  let owner: Page;
  let token: string;
  let remote: Browser | undefined;

  const pool = () => {
    const p = fx.stack.host?.warmPool;
    if (!p) throw new Error('the host keeps no warm pool');
    return p;
  };
  const call = async (method: string, path: string, body?: unknown, raw?: Uint8Array) => {
    const res = await fetch(`${fx.stack.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': raw ? 'application/zip' : 'application/json',
      },
      ...(raw ? { body: Buffer.from(raw) } : body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  };

  beforeAll(async () => {
    site = await startTestSite();
    fx = await startStackFixture({
      sites: [site.url],
      warmRuntimes: 1,
      workflowWorker: { env: { WORKFLOW_WORKER_HEARTBEAT_MS: '500' } },
    });
    browser = await launchClientBrowser();
    const context = await browser.newContext({ viewport: CONSOLE_VIEWPORT });
    owner = await context.newPage();
    await signIn(owner, fx.stack.url);
    token = await owner.evaluate(
      () => JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
    );
  });

  afterAll(async () => {
    await remote?.close().catch(() => undefined);
    await browser?.close();
    await site?.close();
    await fx?.stop();
  });

  it("loads the approved extension into the session's browser; its content script paints the page in the live view", async () => {
    const uploaded = await call('POST', '/api/v1/extensions', undefined, await paintArchive());
    expect(uploaded.status, uploaded.text).toBe(201);
    const extensionId = uploaded.body.id as string;
    const refused = await call('POST', '/api/v1/sessions', { extension_ids: [extensionId] });
    expect(refused.body?.code, 'a pending extension is refused').toBe('extension_not_approved');
    expect((await call('POST', `/api/v1/extensions/${extensionId}/approve`)).status).toBe(200);

    await expect.poll(() => pool().waiting().length, { timeout: 90_000 }).toBe(1);
    const [warm] = pool().waiting();

    const created = await call('POST', '/api/v1/sessions', { extension_ids: [extensionId] });
    expect(created.status, created.text).toBe(201);
    const sessionId = created.body.id as string;
    expect(created.body.extensions).toEqual([
      {
        extension_id: extensionId,
        extension_version_id: extensionId,
        name: 'Paint the page',
        version: '1.0.0',
      },
    ]);
    await expect
      .poll(() => fx.stack.host?.sessions.live(sessionId)?.state(), { timeout: 90_000 })
      .toBe('running');

    // a cold start in its own directory and user: the warm runtime is still waiting, untouched
    const { profileDir, uid } = fx.live(sessionId).diagnostics();
    const sessionDir = dirname(profileDir);
    expect(basename(sessionDir)).toBe(sessionId);
    expect(
      pool()
        .waiting()
        .map((w) => w.name),
    ).toEqual([warm?.name]);
    expect(uid, 'the browser runs as a user of its own').not.toBe(warm?.uid);
    const unpacked = join(sessionDir, 'extensions', extensionId);
    expect(JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')).name).toBe(
      'Paint the page',
    );
    expect(statSync(join(unpacked, 'paint.js')).mode & 0o777).toBe(0o644);

    // the remote browser opens the test page: the content script ran (read through CDP)
    remote = await fx.cdp(sessionId);
    const page =
      remote.contexts().flatMap((c) => c.pages())[0] ??
      (await (remote.contexts()[0] ?? (await remote.newContext())).newPage());
    await page.goto(`${site.url}/next`);
    await expect
      .poll(
        () =>
          page.evaluate(() => ({
            note: document.getElementById('browserpane-extension-note')?.textContent ?? null,
            background: getComputedStyle(document.body).backgroundColor,
          })),
        { timeout: 20_000 },
      )
      .toEqual({ note: PAINT.text, background: PAINT.css });

    // and a person watching sees it: the live view's pixels in an empty part of the page
    await owner.goto(`${fx.stack.url}/?session=${sessionId}`);
    await waitForFrames(owner);
    await expect
      .poll(() => liveViewPixel(owner, page, 900, 500), { timeout: 30_000 })
      .toEqual([...PAINT.rgb]);
  });

  it("a workflow run's session loads the extensions its version allows", async () => {
    const uploaded = await call('POST', '/api/v1/extensions', undefined, await paintArchive());
    const extensionId = uploaded.body.id as string;
    await call('POST', `/api/v1/extensions/${extensionId}/approve`);
    const api = createApi({ baseUrl: fx.stack.url, token: () => token, timeoutMs: 90_000 });
    const workflowId = (await api.createWorkflowDefinition({ body: { name: 'painted page' } })).id;
    await api.createWorkflowDefinitionVersion({
      params: { workflow_id: workflowId },
      body: {
        version: 'v1',
        executor: 'playwright',
        entrypoint: 'look.mjs',
        allowed_extension_ids: [extensionId],
        source: {
          kind: 'inline',
          files: {
            'look.mjs': `export default async ({ page, input }) => {
  await page.goto(input.site + '/next');
  await page.waitForSelector('#browserpane-extension-note', { timeout: 15000 });
  return page.evaluate(() => ({
    note: document.getElementById('browserpane-extension-note').textContent,
    background: getComputedStyle(document.body).backgroundColor,
  }));
};
`,
          },
        },
      },
    });
    const run = await api.createWorkflowRun({
      body: { workflow_id: workflowId, version: 'v1', input: { site: site.url } },
    });
    expect(run.extensions.map((e) => e.extension_id)).toEqual([extensionId]);
    const done = await waitForState(api, run.id, ['succeeded', 'failed', 'timed_out'], 120_000);
    expect([done.state, done.error]).toEqual(['succeeded', null]);
    expect(done.output).toEqual({ note: PAINT.text, background: PAINT.css });
  });
});
