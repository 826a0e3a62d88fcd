import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Api, type ApiError, createApi } from '@browserpane/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginDevUser } from '../../edge/test/support/oidc.ts';
import { cliProcess } from '../../workers/cli/test/run-cli.ts';
import { type GitServer, startGitServer } from '../support/git-server.ts';
import { REPORT_CSV, REPORT_SHA256, startLoginSite, TERMS_TXT } from './support/login-site.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { LOGIN_FLOW, SLEEPER, sha256, waitForState } from './support/workflows.ts';

/**
 * Workflows end to end in real Chromium: a git workflow signs in to a site on loopback, pauses
 * for a one-time code a person gives, finishes with outputs and a produced file; a wb workflow;
 * cancels; a worker killed mid-run.
 */
describe('workflow runs on a real stack', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let git: GitServer;
  let site: Awaited<ReturnType<typeof startLoginSite>>;
  let api: Api;
  let workflowId: string;
  let sessionId: string;
  let token: string;

  beforeAll(async () => {
    git = await startGitServer();
    site = await startLoginSite();
    fx = await startStackFixture({
      // The session sandbox lets its browser reach this loopback site only.
      sites: [site.url],
      workflowWorker: {
        env: { WORKFLOW_GIT_PROTOCOLS: 'git', WORKFLOW_WORKER_HEARTBEAT_MS: '500' },
      },
      edgeVars: { WORKFLOW_GIT_PROTOCOLS: 'git', WORKFLOW_LEASE_MS: '4000' },
    });
    token = await loginDevUser(fx.stack.url, 'demo', 'demo-demo');
    api = createApi({ baseUrl: fx.stack.url, token: () => token, timeoutMs: 90_000 });
    workflowId = (await api.createWorkflowDefinition({ body: { name: 'sign in with a code' } })).id;
    sessionId = (await api.createSession({ body: {} })).id;
  });

  afterAll(async () => {
    await fx?.stop();
    await site?.close();
    await git?.close();
  });

  it('publishes a version from git, pinned to the commit its ref names', async () => {
    const url = git.repository('login-flow', {
      'flows/login.mjs': LOGIN_FLOW,
      'flows/sleep.mjs': SLEEPER,
      'README.md': '# flows\n',
    });
    const version = await api.createWorkflowDefinitionVersion({
      params: { workflow_id: workflowId },
      body: {
        version: 'v1',
        executor: 'playwright',
        entrypoint: 'login.mjs',
        source: {
          kind: 'git',
          repository_url: url,
          ref: 'main',
          resolved_commit: null,
          root_path: 'flows',
        },
        input_schema: { type: 'object', required: ['site', 'user', 'password'] },
      },
    });
    expect(version.source).toEqual({
      kind: 'git',
      repository_url: url,
      ref: 'main',
      resolved_commit: git.revParse('login-flow', 'main'),
      root_path: 'flows',
    });
    expect(version.snapshot).toMatchObject({ kind: 'git', state: 'ready', file_count: 2 });
    // The repository moves on; the version does not.
    git.commit('login-flow', {
      'flows/login.mjs': 'export default async () => { throw new Error("newer"); };',
    });
    const missing = await api
      .createWorkflowDefinitionVersion({
        params: { workflow_id: workflowId },
        body: {
          version: 'v-missing',
          executor: 'playwright',
          entrypoint: 'login.mjs',
          source: { kind: 'git', repository_url: url, ref: 'no-such-branch' },
        },
      })
      .catch((e: ApiError) => e);
    expect(missing).toMatchObject({ status: 422, code: 'git_ref_not_found' });
    const noEntry = await api
      .createWorkflowDefinitionVersion({
        params: { workflow_id: workflowId },
        body: {
          version: 'v-noentry',
          executor: 'playwright',
          entrypoint: 'nope.mjs',
          source: { kind: 'git', repository_url: url, ref: 'main' },
        },
      })
      .catch((e: ApiError) => e);
    expect(noEntry).toMatchObject({ status: 422, code: 'source_invalid' });
  });

  it('signs in, waits for a one-time code from a person, and finishes with outputs and the downloaded report', async () => {
    const run = await api.createWorkflowRun({
      body: {
        workflow_id: workflowId,
        version: 'v1',
        session: { existing_session_id: sessionId },
        input: { site: site.url, user: 'ada', password: 'lovelace' },
      },
    });
    const paused = await waitForState(api, run.id, ['awaiting_input', 'failed'], 90_000);
    expect(
      paused.state,
      `${paused.reason}: ${paused.error}\n${fx.logs
        .filter((l) => /run|worker|session/i.test(l))
        .slice(-40)
        .join('\n')}`,
    ).toBe('awaiting_input');
    expect(paused).toMatchObject({
      state: 'awaiting_input',
      intervention: {
        pending_request: {
          kind: 'one_time_code',
          prompt: 'Enter the one-time code sent to your phone',
          hold: { mode: 'live_runtime' },
        },
      },
      runtime: { resume_mode: 'live_runtime', exact_runtime_available: true },
    });
    const bad = await api
      .submitWorkflowRunInput({ params: { run_id: run.id }, body: { input: { code: 'abc' } } })
      .catch((e: ApiError) => e);
    expect(bad).toMatchObject({ status: 400, code: 'input_invalid' });
    await api.submitWorkflowRunInput({
      params: { run_id: run.id },
      body: { input: { code: site.code() } },
    });
    const done = await waitForState(api, run.id, ['succeeded', 'failed'], 60_000);
    expect(done).toMatchObject({
      state: 'succeeded',
      output: { welcome: 'Welcome, ada' },
      attempt: 1,
    });
    const report = done.produced_files.find((f) => f.file_name === 'report.csv');
    expect(report).toMatchObject({ byte_count: REPORT_CSV.length, sha256_hex: REPORT_SHA256 });
    const res = await api.getWorkflowRunProducedFileContent({
      params: { run_id: run.id, file_id: report?.file_id as string },
    });
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(REPORT_SHA256);
    const logs = await api.getWorkflowRunLogs({ params: { run_id: run.id } });
    expect(logs.logs.map((l) => l.message)).toContain('signed in; waiting for the one-time code');
    const events = await api.getWorkflowRunEvents({ params: { run_id: run.id } });
    expect(events.events.map((e) => e.event_type)).toEqual(
      expect.arrayContaining([
        'workflow_run.awaiting_input',
        'workflow_run.input_submitted',
        'workflow_run.produced_file_added',
        'workflow_run.succeeded',
      ]),
    );
  });

  it('does the same through the CLI: start, follow, answer, download', async () => {
    const env = { BROWSERPANE_API_URL: fx.stack.url, BROWSERPANE_TOKEN: token };
    const input = JSON.stringify({ site: site.url, user: 'ada', password: 'lovelace' });
    const started = await cliProcess(
      [
        'run',
        'start',
        '--workflow',
        workflowId,
        '--version',
        'v1',
        '--session',
        sessionId,
        '--input',
        input,
        '--json',
      ],
      env,
    );
    expect(started.code, started.err).toBe(0);
    const id = (JSON.parse(started.out) as { id: string }).id;
    const following = cliProcess(['run', 'logs', id, '--follow'], env);
    await waitForState(api, id, ['awaiting_input', 'failed'], 90_000);
    const pending = await cliProcess(['run', 'get', id], env);
    expect(pending.out).toContain(
      'waiting for a person (one_time_code): Enter the one-time code sent to your phone',
    );
    const answered = await cliProcess(
      ['run', 'submit-input', id, '--input', JSON.stringify({ code: site.code() })],
      env,
    );
    expect(answered.code, answered.err).toBe(0);
    const followed = await following;
    expect(followed.code, followed.err).toBe(0);
    expect(followed.out).toContain('signed in; waiting for the one-time code');
    expect(followed.err).toContain(`run ${id}: awaiting_input`);
    expect(followed.err).toContain(`run ${id}: succeeded`);
    const files = JSON.parse((await cliProcess(['run', 'files', id, '--json'], env)).out) as {
      files: { file_id: string; file_name: string }[];
    };
    const report = files.files.find((f) => f.file_name === 'report.csv');
    const dir = mkdtempSync(join(tmpdir(), 'bp-cli-dl-'));
    try {
      const target = join(dir, 'report.csv');
      const downloaded = await cliProcess(
        ['run', 'download', id, report?.file_id as string, '--output', target],
        env,
      );
      expect(downloaded.code, downloaded.err).toBe(0);
      expect(sha256(readFileSync(target))).toBe(REPORT_SHA256);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a wb verb workflow, pauses for a person, stores its JPEG screenshot and the file it downloaded', async () => {
    const wb = (await api.createWorkflowDefinition({ body: { name: 'wb flow' } })).id;
    const verbs = [
      { goto: `${site.url}/login` },
      { fill: { selector: '#user', value: 'ada' } },
      { pause_for_human: 'Check the form' },
      { screenshot: 'form.jpg' },
      { eval: 'document.title' },
      // The browser is sandboxed on the host: the worker fetches the download from the session.
      { goto: `${site.url}/files` },
      { download: { selector: '#terms', timeout: 30_000 } },
    ];
    await api.createWorkflowDefinitionVersion({
      params: { workflow_id: wb },
      body: {
        version: 'v1',
        executor: 'wb',
        entrypoint: 'flow.json',
        source: { kind: 'inline', files: { 'flow.json': JSON.stringify({ verbs }) } },
      },
    });
    const run = await api.createWorkflowRun({
      body: { workflow_id: wb, version: 'v1', session: { existing_session_id: sessionId } },
    });
    const paused = await waitForState(api, run.id, ['awaiting_input', 'failed'], 60_000);
    expect(paused.intervention.pending_request).toMatchObject({
      kind: 'pause_for_human',
      prompt: 'Check the form',
    });
    await api.resumeWorkflowRun({ params: { run_id: run.id }, body: { comment: 'looks right' } });
    const done = await waitForState(api, run.id, ['succeeded', 'failed'], 60_000);
    expect(done.state, done.error ?? '').toBe('succeeded');
    const shot = done.produced_files.find((f) => f.file_name === 'form.jpg');
    expect(shot?.media_type).toBe('image/jpeg');
    const bytes = new Uint8Array(
      await (
        await api.getWorkflowRunProducedFileContent({
          params: { run_id: run.id, file_id: shot?.file_id as string },
        })
      ).arrayBuffer(),
    );
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const terms = done.produced_files.find((f) => f.file_name.endsWith('terms.txt'));
    expect(terms, JSON.stringify(done.produced_files)).toMatchObject({
      byte_count: TERMS_TXT.length,
      sha256_hex: sha256(TERMS_TXT),
    });
  });

  it('writes a produced file into the file workspace the run names; it downloads intact', async () => {
    const ws = await api.createFileWorkspace({ body: { name: 'run outputs' } });
    const wf = (await api.createWorkflowDefinition({ body: { name: 'writes a file' } })).id;
    const code = `export default async ({ files }) => {
  const bytes = new Uint8Array(200000).map((_, i) => (i * 29 + (i >> 9)) & 0xff);
  files.write('data.bin', bytes);
  return { ok: true };
};
`;
    await api.createWorkflowDefinitionVersion({
      params: { workflow_id: wf },
      body: {
        version: 'v1',
        executor: 'playwright',
        entrypoint: 'main.mjs',
        source: { kind: 'inline', files: { 'main.mjs': code } },
      },
    });
    const run = await api.createWorkflowRun({
      body: {
        workflow_id: wf,
        version: 'v1',
        session: { existing_session_id: sessionId },
        output_workspace_id: ws.id,
      },
    });
    const done = await waitForState(api, run.id, ['succeeded', 'failed'], 60_000);
    expect(done.state, done.error ?? '').toBe('succeeded');
    const { files } = await api.listFileWorkspaceFiles({ params: { workspace_id: ws.id } });
    const file = files.find((f) => f.name === 'data.bin');
    expect(file).toMatchObject({ byte_count: 200_000, run_id: run.id });
    const expected = new Uint8Array(200_000).map((_, i) => (i * 29 + (i >> 9)) & 0xff);
    const got = new Uint8Array(
      await (
        await api.getFileWorkspaceFileContent({
          params: { workspace_id: ws.id, file_id: file?.id as string },
        })
      ).arrayBuffer(),
    );
    expect(sha256(got)).toBe(sha256(expected));
    expect(file?.sha256_hex).toBe(sha256(expected));
  });

  it('cancels a run while it runs and while it waits for a person', async () => {
    const running = await api.createWorkflowRun({
      body: {
        workflow_id: workflowId,
        version: 'v1',
        session: { existing_session_id: sessionId },
        input: { site: `${site.url}/nowhere`, user: 'x', password: 'y' },
      },
    });
    // v1 waits for /otp that never comes (30 s Playwright timeout): cancel it meanwhile.
    await waitForState(api, running.id, ['running'], 60_000);
    await api.cancelWorkflowRun({ params: { run_id: running.id } });
    expect((await waitForState(api, running.id, ['cancelled', 'failed'], 20_000)).state).toBe(
      'cancelled',
    );

    const waiting = await api.createWorkflowRun({
      body: {
        workflow_id: workflowId,
        version: 'v1',
        session: { existing_session_id: sessionId },
        input: { site: site.url, user: 'ada', password: 'lovelace' },
      },
    });
    await waitForState(api, waiting.id, ['awaiting_input'], 60_000);
    const cancelled = await api.cancelWorkflowRun({ params: { run_id: waiting.id } });
    expect(cancelled).toMatchObject({ state: 'cancelled', outcome: { category: 'cancellation' } });
    // The worker lets go of the browser: the next run gets it.
    const next = await api.createWorkflowRun({
      body: {
        workflow_id: workflowId,
        version: 'v1',
        session: { existing_session_id: sessionId },
        input: { site: site.url, user: 'ada', password: 'lovelace' },
      },
    });
    await waitForState(api, next.id, ['awaiting_input'], 60_000);
    await api.rejectWorkflowRun({ params: { run_id: next.id }, body: { reason: 'not now' } });
  });

  it('retries a run whose worker was killed mid-run; nothing stays running', async () => {
    const version = await api.createWorkflowDefinitionVersion({
      params: { workflow_id: workflowId },
      body: {
        version: 'sleep',
        executor: 'playwright',
        entrypoint: 'sleep.mjs',
        source: { kind: 'inline', files: { 'sleep.mjs': SLEEPER } },
      },
    });
    expect(version.snapshot.state).toBe('ready');
    const run = await api.createWorkflowRun({
      body: {
        workflow_id: workflowId,
        version: 'sleep',
        session: { existing_session_id: sessionId },
        input: { ms: 6000 },
      },
    });
    await waitForState(api, run.id, ['running'], 60_000);
    const worker = fx.stack.workflowWorker;
    if (!worker) throw new Error('no workflow worker');
    await worker.kill();
    await worker.start();
    const retried = await waitForState(api, run.id, ['succeeded', 'failed'], 90_000);
    expect(retried).toMatchObject({ state: 'succeeded', attempt: 2, output: { slept: 6000 } });
    const events = await api.getWorkflowRunEvents({ params: { run_id: run.id } });
    expect(events.events.map((e) => e.event_type)).toContain('workflow_run.retrying');
    // The worker reports the entrypoint's own time (the benchmark's run overhead uses it).
    const succeeded = events.events.find((e) => e.event_type === 'workflow_run.succeeded');
    expect(
      (succeeded?.data as { entrypoint_ms?: number } | undefined)?.entrypoint_ms,
    ).toBeGreaterThanOrEqual(6000);
  });
});
