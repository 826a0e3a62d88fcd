import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import postgres from 'postgres';
import { expect } from 'vitest';
import type { Api } from './api.ts';
import { serviceToken } from './oidc.ts';

/** The source job's version id, as the workflow worker reads it from its job. */
async function pendingSourceJob(databaseUrl: string): Promise<string> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    for (let i = 0; i < 100; i++) {
      const rows =
        await sql`select j.payload->>'version_id' as id from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'workflow_source' order by j.id desc limit 1`;
      if (rows[0]?.id) {
        await sql`delete from graphile_worker._private_jobs`;
        return rows[0].id as string;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no workflow_source job appeared');
  } finally {
    await sql.end();
  }
}

/**
 * Every workflow operation once, against a running session (for the contract walk): definitions,
 * inline and git versions (a stand-in worker resolves one and fails another), a run through its
 * lifecycle with logs, events, a produced file and automation access.
 */
export async function workflowOperations(
  api: Api,
  demo: string,
  sessionId: string,
  secrets: { serviceClients: Record<string, string>; operatorToken: string },
  databaseUrl: string,
): Promise<void> {
  const edgeUrl = api.baseUrl;
  const worker = await serviceToken(
    edgeUrl,
    'workflow-worker',
    secrets.serviceClients['workflow-worker'] as string,
  );
  const def = await api.post('/api/v1/workflows', demo, { name: 'contract', description: null });
  const wf = def.body.id as string;
  await api.get('/api/v1/workflows', demo);
  await api.get(`/api/v1/workflows/${wf}`, demo);
  await api.post(`/api/v1/workflows/${wf}/versions`, demo, {
    version: 'v1',
    executor: 'playwright',
    entrypoint: 'main.mjs',
    source: { kind: 'inline', files: { 'main.mjs': 'export default async () => 1;\n' } },
  });
  // A git version: the request waits while a worker resolves it.
  const git = {
    kind: 'git',
    repository_url: 'https://git.example.test/flows.git',
    ref: 'main',
    resolved_commit: null,
    root_path: null,
  };
  const publishing = api.post(`/api/v1/workflows/${wf}/versions`, demo, {
    version: 'v2',
    executor: 'wb',
    entrypoint: 'flow.json',
    source: git,
  });
  const versionId = await pendingSourceJob(databaseUrl);
  const tar = gzipSync(Buffer.alloc(1024));
  const stored = await api.request('PUT', `/api/v1/workflow-sources/${versionId}/snapshot`, {
    token: worker,
    raw: tar,
    headers: {
      'content-type': 'application/gzip',
      'x-snapshot-sha256': createHash('sha256').update(tar).digest('hex'),
      'x-snapshot-file-count': '1',
      'x-resolved-commit': 'a'.repeat(40),
    },
  });
  expect(stored.body.state).toBe('ready');
  expect((await publishing).body.source.resolved_commit).toBe('a'.repeat(40));
  const failing = api.post(`/api/v1/workflows/${wf}/versions`, demo, {
    version: 'v3',
    executor: 'wb',
    entrypoint: 'flow.json',
    source: { ...git, ref: 'nope' },
  });
  const failingId = await pendingSourceJob(databaseUrl);
  await api.post(`/api/v1/workflow-sources/${failingId}/failure`, worker, {
    code: 'git_ref_not_found',
    message: 'no ref nope',
  });
  expect((await failing).status).toBe(422);
  await api.get(`/api/v1/workflows/${wf}/versions`, demo);
  await api.get(`/api/v1/workflows/${wf}/versions/v1`, demo);

  // Credential bindings: created, listed, read, granted to the run, resolved by its worker.
  const binding = await api.post('/api/v1/credential-bindings', demo, {
    name: 'contract-login',
    kind: 'password',
    allowed_origins: ['https://login.example.test'],
    secret_payload: { username: 'ada', password: 'contract-secret' },
  });
  const bindingId = binding.body.id as string;
  await api.get('/api/v1/credential-bindings', demo);
  await api.get(`/api/v1/credential-bindings/${bindingId}`, demo);
  const created = await api.post('/api/v1/workflow-runs', demo, {
    workflow_id: wf,
    version: 'v1',
    session: { existing_session_id: sessionId },
    client_request_id: 'c-1',
    credential_binding_ids: [bindingId],
  });
  const run = created.body.id as string;
  const path = `/api/v1/workflow-runs/${run}`;
  await api.get('/api/v1/workflow-runs', demo);
  const claimed = await api.post(`${path}/claim`, worker, { worker_id: 'contract' });
  const attempt = claimed.body.attempt as number;
  await api.post(`${path}/heartbeat`, worker, { attempt });
  const access = await api.post(
    `${path}/automation-access`,
    worker,
    { attempt },
    { headers: { 'x-bpane-run-lease': claimed.body.lease_token as string } },
  );
  expect(access.body.automation.endpoint_url).toContain(`/sessions/${sessionId}/cdp?ticket=`);
  await api.get(`${path}/source-snapshot/content`, worker);
  await api.post(`${path}/state`, worker, { state: 'running', attempt });
  const resolved = await api.post(
    `${path}/credential-bindings/${bindingId}/resolve`,
    worker,
    { attempt, worker_id: 'contract' },
    { headers: { 'x-bpane-run-lease': claimed.body.lease_token as string } },
  );
  expect(resolved.body.payload.password).toBe('contract-secret');
  await api.post(`${path}/logs`, worker, { stream: 'system', message: 'hello' });
  await api.request('POST', `${path}/produced-files`, {
    token: worker,
    raw: 'bytes',
    headers: { 'content-type': 'text/plain', 'x-bpane-file-name': 'a.txt' },
  });
  const files = await api.get(`${path}/produced-files`, demo);
  await api.get(files.body.files[0].content_path, demo);
  const pause = {
    intervention_request: { prompt: 'ok?' },
    runtime_hold: { mode: 'live', timeout_sec: 60 },
  };
  await api.post(`${path}/state`, worker, { state: 'awaiting_input', attempt, data: pause });
  await api.post(`${path}/submit-input`, demo, { input: { ok: true } });
  await api.post(`${path}/state`, worker, { state: 'awaiting_input', attempt, data: pause });
  await api.post(`${path}/resume`, demo, {});
  await api.post(`${path}/state`, worker, { state: 'awaiting_input', attempt, data: pause });
  await api.post(`${path}/reject`, demo, { reason: 'no' });
  await api.get(`${path}/logs?after=0`, demo);
  await api.get(`${path}/events`, demo);
  await api.get(path, demo);
  const second = await api.post('/api/v1/workflow-runs', demo, {
    workflow_id: wf,
    version: 'v1',
    session: { existing_session_id: sessionId },
  });
  await api.post(`/api/v1/workflow-runs/${second.body.id}/cancel`, demo);
  await api.delete(`/api/v1/credential-bindings/${bindingId}`, demo);
  await api.post('/api/v1/maintenance/rewrap-credentials', secrets.operatorToken);
}
