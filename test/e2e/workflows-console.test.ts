import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Api, createApi } from '@browserpane/api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginDevUser } from '../../edge/test/support/oidc.ts';
import { type GitServer, startGitServer } from '../support/git-server.ts';
import { launchClientBrowser } from './support/browser.ts';
import { CONSOLE_VIEWPORT, signIn, waitForFrames } from './support/console-driver.ts';
import { REPORT_SHA256, startLoginSite } from './support/login-site.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { LOGIN_FLOW, sha256, waitForState } from './support/workflows.ts';

/** Screenshots for people to look at (gitignored): test/e2e/screenshots/. */
const SHOTS = join(import.meta.dirname, 'screenshots');

/**
 * The hand-off in the console, in real Chromium: a person starts a git workflow from its page,
 * sees the run wait for a one-time code, opens the live view of the run's session, answers in the
 * intervention form, and downloads the produced report intact.
 */
describe('workflows in the console', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let git: GitServer;
  let site: Awaited<ReturnType<typeof startLoginSite>>;
  let api: Api;
  let browser: Browser & { cleanup(): void };
  let page: Page;
  let workflowId: string;
  /** The workflow worker's recent lines (what to look at when a run does not get there). */
  const workerLines = () =>
    fx.logs
      .filter((l) => /run|worker|queue|session/i.test(l))
      .slice(-40)
      .join('\n');

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    git = await startGitServer();
    site = await startLoginSite();
    fx = await startStackFixture({
      // The session sandbox lets its browser reach this loopback site only.
      sites: [site.url],
      workflowWorker: { env: { WORKFLOW_GIT_PROTOCOLS: 'git' } },
      edgeVars: { WORKFLOW_GIT_PROTOCOLS: 'git' },
    });
    const token = await loginDevUser(fx.stack.url, 'demo', 'demo-demo');
    api = createApi({ baseUrl: fx.stack.url, token: () => token, timeoutMs: 90_000 });
    workflowId = (
      await api.createWorkflowDefinition({
        body: {
          name: 'Monthly report',
          description: 'Signs in with a one-time code and downloads the report.',
        },
      })
    ).id;
    await api.createWorkflowDefinitionVersion({
      params: { workflow_id: workflowId },
      body: {
        version: 'v1',
        executor: 'playwright',
        entrypoint: 'login.mjs',
        source: {
          kind: 'git',
          repository_url: git.repository('report-flow', { 'login.mjs': LOGIN_FLOW }),
          ref: 'main',
        },
      },
    });
    browser = await launchClientBrowser();
    page = await (
      await browser.newContext({
        viewport: { width: CONSOLE_VIEWPORT.width, height: 1000 },
        acceptDownloads: true,
      })
    ).newPage();
    await signIn(page, fx.stack.url);
  });

  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
    await site?.close();
    await git?.close();
  });

  // A whole hand-off (a new session, git, a person): minutes on a busy 2-core machine.
  it('starts a run, hands it to a person in the live view, and finishes with the report', {
    timeout: 300_000,
  }, async () => {
    await page.click('[data-testid=tab-workflows]');
    await page.click(`[data-workflow="${workflowId}"]`);
    await page.waitForSelector('[data-testid=workflow-page] table.versions');
    await page.fill('[data-testid=run-input]', '{ not json');
    await page.click('[data-testid=start-run]');
    await expect
      .poll(() => page.textContent('[data-testid=start-error]'))
      .toBe('The input is not valid JSON.');
    await page.fill(
      '[data-testid=run-input]',
      JSON.stringify({ site: site.url, user: 'ada', password: 'lovelace' }, null, 2),
    );
    await page.screenshot({ path: join(SHOTS, 'workflows-start-run.png') });
    await page.click('[data-testid=start-run]');
    await page.waitForSelector('[data-testid=run-page]');
    const runId = new URL(page.url()).searchParams.get('run') as string;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);

    // The person sees the pending request…
    const paused = await waitForState(api, runId, ['awaiting_input', 'failed'], 240_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}\nworker and host log:\n${workerLines()}`);
      },
    );
    expect(paused.state, `${paused.reason}: ${paused.error}\n${workerLines()}`).toBe(
      'awaiting_input',
    );
    await page.waitForSelector('[data-testid=intervention]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=intervention-prompt]')).toBe(
      'Enter the one-time code sent to your phone',
    );
    // the run list follows on its own refresh
    await expect
      .poll(() => page.getAttribute(`[data-run="${runId}"]`, 'class'), { timeout: 15_000 })
      .toContain('attention');
    // …opens the live view of the run's session: the browser the run holds, on the code page.
    await page.click('[data-testid=open-run-live-view]');
    await waitForFrames(page);
    const run = await api.getWorkflowRun({ params: { run_id: runId } });
    expect(
      await page.evaluate(
        () => (window as unknown as { bpClient?: { sessionId: string } }).bpClient?.sessionId,
      ),
    ).toBe(run.session_id);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(SHOTS, 'workflows-live-view.png') });
    await page.$eval('[data-testid=run-page]', (e) => {
      e.scrollTop = 0;
    });
    await page.screenshot({ path: join(SHOTS, 'workflows-intervention.png') });

    // A wrong answer is refused with the schema's word, the right one goes through.
    await page.fill('[data-testid=intervention-field-code]', 'abc');
    await page.click('[data-testid=intervention-submit]');
    await expect
      .poll(() => page.textContent('[data-testid=intervention-error]'))
      .toMatch(/pattern|match/i);
    await page.fill('[data-testid=intervention-field-code]', site.code());
    await page.click('[data-testid=intervention-submit]');
    await page.waitForSelector('.run-header .state-succeeded', { timeout: 90_000 });
    await page.waitForSelector('[data-file="report.csv"]');
    expect(await page.textContent('[data-testid=run-output]')).toContain('Welcome, ada');
    await expect
      .poll(() => page.textContent('[data-testid=run-log]'))
      .toContain('signed in; waiting for the one-time code');
    expect(await page.textContent('[data-testid=run-events]')).toContain('input_submitted');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-file="report.csv"]'),
    ]);
    expect(download.suggestedFilename()).toBe('report.csv');
    expect(sha256(readFileSync(await download.path()))).toBe(REPORT_SHA256);
    await page.$eval('[data-testid=run-page]', (e) => {
      e.scrollTop = 0;
    });
    await page.screenshot({ path: join(SHOTS, 'workflows-run-succeeded.png') });
    expect((await waitForState(api, runId, ['succeeded'], 5_000)).state).toBe('succeeded');
  });
});
