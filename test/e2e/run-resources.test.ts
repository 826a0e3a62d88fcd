import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Api, createApi } from '@browserpane/api';
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
import { startLoginSite } from './support/login-site.ts';
import { expectNoSecret as expectNoLeak, runTraces } from './support/secret-leaks.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { sha256, waitForState } from './support/workflows.ts';
import { consoleToken, remotePage } from './support/workspace.ts';

const PASSWORD = `pw-${randomBytes(9).toString('hex')}`;
const API_KEY = `key-${randomBytes(9).toString('hex')}`;
const SECRETS = [PASSWORD, API_KEY];
/** Screenshots for people to look at (gitignored): test/e2e/screenshots/. */
const SHOTS = join(import.meta.dirname, 'screenshots');
const INVOICE = `Invoice 2026-11 ✓ ${randomBytes(6).toString('hex')}\n`.repeat(2500);
/** What the run writes back: the invoice it read through the page, upper-cased. */
const RECEIPT = `receipt for invoice.txt\n${INVOICE.toUpperCase()}`;

/**
 * Everything a run can be given at once: a workspace file its page picks through the file
 * chooser, a secret it reads, a login the worker fills for it, an approved extension painting its
 * pages, and an output workspace for what it writes. It waits for a person once signed in, so the
 * test looks at the painted page in the console's live view; then it ends.
 */
const FLOW = `
export default async ({ page, input, workspaceInputs, log, files, credentials, requestInput }) => {
  await page.goto(input.site + '/upload');
  await page.click('#file');
  await page.waitForFunction(() => document.getElementById('file').files.length === 1, null, { timeout: 20000 });
  const picked = await page.evaluate(async () => {
    const f = document.getElementById('file').files[0];
    return { name: f.name, text: await f.text() };
  });
  // The same input's bytes read directly (fetched by the worker with the run's lease).
  const direct = (await files.read('inputs/invoice.txt')).toString('utf8');
  const copy = await files.input('inputs/invoice.txt');
  const missing = await files.read('inputs/other.txt').then(() => 'read', (e) => e.message);
  const { value } = await credentials.get('api-key');
  log('calling the API with ' + value);
  console.log(JSON.stringify({ key: value }));
  await page.goto(input.site + '/login');
  await credentials.fill('site-login', { username: '#user', password: '#password' });
  await Promise.all([page.waitForURL('**/otp'), page.click('#go')]);
  files.write('receipt.txt', 'receipt for ' + picked.name + '\\n' + picked.text.toUpperCase());
  await requestInput({ kind: 'look', prompt: 'Look at the painted page in the live view' });
  return { picked: picked.name, sha: workspaceInputs[0].sha256_hex, mounted: workspaceInputs.map((w) => w.mount_path), url: page.url(), key: value, read_same: direct === picked.text, copy_named: copy.endsWith('/1'), missing };
};
`;

/**
 * Issue 15's whole story on one stack: first the console's Settings screens (they also create the
 * webhook `receiver` the run's events go to), then the run with every resource, then the console
 * showing that webhook's deliveries.
 */
describe('a workflow run with a workspace file, credentials, an extension and an output workspace', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let site: Awaited<ReturnType<typeof startLoginSite>>;
  let browser: Browser & { cleanup(): void };
  let owner: Page;
  let api: Api;
  let remote: Browser | undefined;
  let token: string;

  const call = async (
    method: string,
    path: string,
    body?: BodyInit,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => {
    const res = await fetch(`${fx.stack.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as { id: string };
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await startLoginSite({ name: 'ada', password: PASSWORD });
    fx = await startStackFixture({
      sites: [site.url],
      workflowWorker: { env: { WORKFLOW_WORKER_HEARTBEAT_MS: '500' } },
    });
    browser = await launchClientBrowser();
    owner = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    await signIn(owner, fx.stack.url);
    token = await consoleToken(owner);
    api = createApi({ baseUrl: fx.stack.url, token: () => token, timeoutMs: 90_000 });
  });

  afterAll(async () => {
    await remote?.close().catch(() => undefined);
    await browser?.close();
    await fx?.stop();
    await site?.close();
  });

  const expectNoSecret = (text: string, where: string) => expectNoLeak(SECRETS, text, where);

  it('the console’s settings list, create and delete workspaces, credentials, extensions and webhooks; secrets are never shown back', async () => {
    owner.on('dialog', (d) => void d.accept());
    const shot = (name: string) =>
      owner.screenshot({ path: join(SHOTS, `console-settings-${name}.png`), fullPage: true });
    await owner.goto(`${fx.stack.url}/?view=settings&section=workspaces`);
    await owner.fill('[data-testid=workspace-name]', 'Invoices');
    await owner.click('[data-testid=create-workspace]');
    await owner.setInputFiles('[data-testid=upload-file-Invoices]', {
      name: 'march.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(INVOICE),
    });
    await owner.click('[data-testid=upload-Invoices]');
    await expect
      .poll(() => owner.locator('[data-testid=files-Invoices] td').first().textContent())
      .toBe('march.csv');
    const [download] = await Promise.all([
      owner.waitForEvent('download'),
      owner.click('[data-testid=download-march\\.csv]'),
    ]);
    expect(download.suggestedFilename()).toBe('march.csv');
    expect(sha256(readFileSync(await download.path()))).toBe(sha256(INVOICE));
    await shot('workspaces');
    await owner.click('[data-testid=delete-file-march\\.csv]');
    await expect.poll(() => owner.locator('[data-testid=files-Invoices]').count()).toBe(0);
    await owner.click('[data-testid=delete-workspace-Invoices]');
    await expect.poll(() => owner.locator('[data-testid=workspace]').count()).toBe(0);

    await owner.click('[data-settings=credentials]');
    await owner.fill('[data-testid=credential-name]', 'shop-login');
    await owner.fill('[data-testid=credential-origins]', site.url);
    await owner.fill('[data-testid=credential-username]', 'ada');
    await owner.fill('[data-testid=credential-secret]', PASSWORD);
    await owner.click('[data-testid=create-credential]');
    await expect
      .poll(() => owner.locator('[data-testid=credential-list] td').first().textContent())
      .toBe('shop-login');
    const shown = await owner.evaluate(() => ({
      text: document.body.textContent ?? '',
      values: [...document.querySelectorAll('input')].map((i) => i.value),
    }));
    expectNoSecret(JSON.stringify(shown), 'the credentials page');
    await shot('credentials');
    await owner.click('[data-testid=delete-credential-shop-login]');
    await expect.poll(() => owner.locator('[data-testid=credential-list]').count()).toBe(0);

    await owner.click('[data-settings=extensions]');
    await owner.setInputFiles('[data-testid=extension-file]', {
      name: 'paint.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(await paintArchive()),
    });
    await owner.click('[data-testid=upload-extension]');
    await owner.click('[data-testid="approve-Paint the page"]');
    await expect
      .poll(() => owner.locator('[data-testid=extension-list] .pill').first().textContent())
      .toBe('approved');
    await shot('extensions');
    await owner.click('[data-testid="delete-extension-Paint the page"]');
    await expect.poll(() => owner.locator('[data-testid=extension-list]').count()).toBe(0);
    expect(await owner.locator('p.empty').textContent()).toBe('No extensions yet.');
    expect((await api.listExtensions()).extensions).toEqual([]);

    await owner.click('[data-settings=webhooks]');
    await owner.fill('[data-testid=webhook-name]', 'receiver');
    await owner.fill('[data-testid=webhook-url]', `${site.url}/hook`);
    await owner.click('[data-testid=create-webhook]');
    const secret = await owner.locator('[data-testid=webhook-secret]').textContent();
    expect(secret).toMatch(/^whsec_/);
    await shot('webhook-secret');
    // once: the page drawn again has the subscription but not its secret
    await owner.click('[data-settings=credentials]');
    await owner.click('[data-settings=webhooks]');
    await expect
      .poll(() => owner.locator('[data-testid=webhook-list] td').first().textContent())
      .toBe('receiver');
    expect(await owner.locator('[data-testid=webhook-secret]').count()).toBe(0);
    expect(await owner.evaluate(() => document.body.textContent ?? '')).not.toContain(secret);
    // A second webhook, deleted again: the list keeps only the receiver (the run test uses it).
    await owner.fill('[data-testid=webhook-name]', 'throwaway');
    await owner.fill('[data-testid=webhook-url]', `${site.url}/other-hook`);
    await owner.click('[data-testid=create-webhook]');
    await expect.poll(() => owner.locator('[data-testid=webhook-list] tr').count()).toBe(3);
    await owner.click('[data-testid=delete-webhook-throwaway]');
    await expect
      .poll(() => owner.locator('[data-testid=webhook-list] tr td:first-child').allTextContents())
      .toEqual(['receiver']);
    expect((await api.listWorkflowEventSubscriptions()).subscriptions.map((x) => x.name)).toEqual([
      'receiver',
    ]);
    await shot('webhooks-after-delete');
  });

  it('picks the bound file, signs in by injection, shows the painted page live, writes its file back; no secret leaks', async () => {
    const inputs = await call('POST', '/api/v1/file-workspaces', JSON.stringify({ name: 'in' }));
    const invoice = await call('POST', `/api/v1/file-workspaces/${inputs.id}/files`, INVOICE, {
      'content-type': 'text/plain',
      'x-bpane-file-name': 'invoice.txt',
    });
    const outputs = await call('POST', '/api/v1/file-workspaces', JSON.stringify({ name: 'out' }));
    const login = await api.createCredentialBinding({
      body: {
        name: 'site-login',
        kind: 'password',
        allowed_origins: [site.url],
        secret_payload: { username: 'ada', password: PASSWORD },
      },
    });
    const key = await api.createCredentialBinding({
      body: { name: 'api-key', kind: 'secret', secret_payload: { value: API_KEY } },
    });
    const extension = await call('POST', '/api/v1/extensions', Buffer.from(await paintArchive()), {
      'content-type': 'application/zip',
    });
    await call('POST', `/api/v1/extensions/${extension.id}/approve`);
    const workflowId = (await api.createWorkflowDefinition({ body: { name: 'everything' } })).id;
    await api.createWorkflowDefinitionVersion({
      params: { workflow_id: workflowId },
      body: {
        version: 'v1',
        executor: 'playwright',
        entrypoint: 'all.mjs',
        allowed_extension_ids: [extension.id],
        source: { kind: 'inline', files: { 'all.mjs': FLOW } },
      },
    });
    const created = await api.createWorkflowRun({
      body: {
        workflow_id: workflowId,
        version: 'v1',
        input: { site: site.url },
        credential_binding_ids: [login.id, key.id],
        workspace_inputs: [
          { workspace_id: inputs.id, file_id: invoice.id, mount_path: 'inputs/invoice.txt' },
        ],
        output_workspace_id: outputs.id,
      },
    });
    expect(created.workspace_inputs).toMatchObject([
      { file_id: invoice.id, mount_path: 'inputs/invoice.txt', sha256_hex: sha256(INVOICE) },
    ]);
    expect(created.extensions.map((e) => e.extension_id)).toEqual([extension.id]);

    const paused = await waitForState(api, created.id, ['awaiting_input', 'failed'], 150_000);
    expect([paused.state, paused.error]).toEqual(['awaiting_input', null]);
    expect(paused.workspace_inputs.map((w) => w.state)).toEqual(['materialized']);

    // The extension's content script changed the signed-in page: its DOM read over CDP ...
    remote = await fx.cdp(created.session_id);
    const page = await remotePage(remote);
    expect(page.url()).toBe(`${site.url}/otp`);
    expect(
      await page.evaluate(() => ({
        note: document.getElementById('browserpane-extension-note')?.textContent ?? null,
        background: getComputedStyle(document.body).backgroundColor,
      })),
    ).toEqual({ note: PAINT.text, background: PAINT.css });
    // ... and what a person watching the run in the console sees: the painted pixels.
    await owner.goto(`${fx.stack.url}/?session=${created.session_id}`);
    await waitForFrames(owner);
    await expect
      .poll(() => liveViewPixel(owner, page, 900, 500), { timeout: 30_000 })
      .toEqual([...PAINT.rgb]);

    await api.submitWorkflowRunInput({ params: { run_id: created.id }, body: { input: {} } });
    const run = await waitForState(api, created.id, ['succeeded', 'failed'], 90_000);
    expect([run.state, run.error]).toEqual(['succeeded', null]);
    expect(run.output).toEqual({
      picked: 'invoice.txt',
      sha: sha256(INVOICE),
      mounted: ['inputs/invoice.txt'],
      url: `${site.url}/otp`,
      key: '[redacted:api-key]',
      read_same: true,
      copy_named: true,
      missing:
        'no workspace input is mounted at inputs/other.txt (this run has inputs/invoice.txt)',
    });

    // The produced file is a file of the output workspace, and comes back intact.
    const listed = (await (
      await fetch(`${fx.stack.url}/api/v1/file-workspaces/${outputs.id}/files`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as {
      files: { name: string; run_id: string; sha256_hex: string; content_path: string }[];
    };
    expect(listed.files.map((f) => [f.name, f.run_id, f.sha256_hex])).toEqual([
      ['receipt.txt', run.id, sha256(RECEIPT)],
    ]);
    const back = await fetch(`${fx.stack.url}${listed.files[0]?.content_path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sha256(new Uint8Array(await back.arrayBuffer()))).toBe(sha256(RECEIPT));

    // No secret anywhere: the run (output, error), its logs and events, and the stack's own output.
    const traces = await runTraces(api, run);
    expect(traces).toContain('calling the API with [redacted:api-key]');
    expectNoSecret(traces, 'the run, its logs and events');
    expectNoSecret(fx.logs.join('\n'), "the edge's, host's and worker's own output");

    // The webhook the console made got the run's events; its receiver (the site) answers 404, so
    // the console shows failing attempts.
    await owner.goto(`${fx.stack.url}/?view=settings&section=webhooks`);
    await expect
      .poll(
        async () => {
          await owner.click('[data-testid=deliveries-receiver]');
          return owner.locator('[data-testid=delivery-list] td').allTextContents();
        },
        { timeout: 30_000 },
      )
      .toEqual(expect.arrayContaining(['workflow_run.succeeded', 'HTTP 404']));
    await owner.screenshot({
      path: join(SHOTS, 'console-settings-deliveries.png'),
      fullPage: true,
    });
  }, 300_000);
});
