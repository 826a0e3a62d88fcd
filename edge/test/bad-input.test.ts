import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkErrorBody, documentedOperations, SPEC } from './support/contract.ts';
import {
  credentialCases,
  credentialIdTemplates,
  credentialJsonRoutes,
} from './support/credential-cases.ts';
import { devOidcCases } from './support/dev-oidc-cases.ts';
import { extensionCases, extensionIdTemplates } from './support/extension-cases.ts';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser, serviceToken } from './support/oidc.ts';
import { recordingCases } from './support/recording-cases.ts';
import { FILE_ID, sessionFileCases } from './support/session-file-cases.ts';
import { type Stack, startStack } from './support/stack.ts';
import {
  PUBLIC_TARGET,
  webhookCases,
  webhookIdTemplates,
  webhookJsonRoutes,
} from './support/webhook-cases.ts';
import {
  workspaceCases,
  workspaceIdTemplates,
  workspaceJsonRoutes,
} from './support/workspace-cases.ts';

interface Case {
  name: string;
  method: string;
  path: string;
  token?: 'user' | 'host' | 'enroll' | 'operator' | 'worker' | string | null;
  body?: unknown;
  raw?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  /** Expected status (default: any 4xx). */
  status?: number;
  code?: string;
}

const OVERSIZED = JSON.stringify({ labels: { a: 'x'.repeat(70 * 1024) } });
const INVALID_UTF8 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
const NESTED = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const BAD_IDS = [
  'not-a-uuid',
  '01A1FF36-301B-79FC-A9CA-450F4E85A337',
  'x'.repeat(600),
  "'%20or%201=1--",
  '%00',
  '..%2F..%2Fetc',
];

describe('malformed requests to every route', () => {
  let stack: Stack;
  let user: string;
  let host: HostDriver;
  let sessionId: string;
  let worker: string;
  let workflowId: string;
  let runId: string;
  let subscriptionId: string;
  let recordingId: string;
  let recordedId: string;
  let workerToken: string;
  let extensionArchiveCases: Case[] = [];
  let workspaceId: string;
  const results: { name: string; status: number }[] = [];

  beforeAll(async () => {
    stack = await startStack('pglite');
    user = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    host = new HostDriver(stack.api, 'bad-input-host');
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
    sessionId = (await stack.api.post('/api/v1/sessions', user, {})).body.id;
    worker = await serviceToken(
      stack.edge.url,
      'workflow-worker',
      stack.edge.secrets.serviceClients['workflow-worker'] as string,
    );
    workflowId = (await stack.api.post('/api/v1/workflows', user, { name: 'bad input' })).body.id;
    await stack.api.post(`/api/v1/workflows/${workflowId}/versions`, user, {
      version: 'v1',
      executor: 'playwright',
      entrypoint: 'main.mjs',
      source: { kind: 'inline', files: { 'main.mjs': 'export default async () => 1;' } },
      input_schema: { type: 'object', properties: { n: { type: 'integer' } } },
    });
    const run = await stack.api.post('/api/v1/workflow-runs', user, {
      workflow_id: workflowId,
      version: 'v1',
      input: {},
      session: { existing_session_id: sessionId },
    });
    expect(run.status, run.text).toBe(201);
    runId = run.body.id;
    const hook = await stack.api.post('/api/v1/workflow-event-subscriptions', user, {
      name: 'bad input',
      target_url: PUBLIC_TARGET,
      event_types: ['workflow_run.*'],
    });
    expect(hook.status, hook.text).toBe(201);
    subscriptionId = hook.body.id;
    // A recorded session on a host with a recording worker: its recording and worker token.
    host.recorder = true;
    const recorded = await stack.api.post('/api/v1/sessions', user, {
      recording: { mode: 'always' },
    });
    recordedId = recorded.body.id;
    host.run(recorded.body.id);
    await host.beat();
    const desired = host.last?.recordings[0];
    recordingId = desired?.recording_id as string;
    workerToken = desired?.worker_token as string;
    extensionArchiveCases = await extensionCases(host.id, sessionId);
    workspaceId = (await stack.api.post('/api/v1/file-workspaces', user, { name: 'bad input' }))
      .body.id;
  });
  afterAll(() => stack?.stop());

  /** The workflow routes' own refusals: the issue's list, each a clear 4xx code. */
  function workflowCases(r: string): Case[] {
    const versions = `/api/v1/workflows/${workflowId}/versions`;
    const version = (source: unknown, extra: Record<string, unknown> = {}) => ({
      version: `v-${Math.random().toString(36).slice(2, 8)}`,
      executor: 'playwright',
      entrypoint: 'main.mjs',
      source,
      ...extra,
    });
    const git = (url: string) => ({ kind: 'git', repository_url: url, ref: 'main' });
    const forbidden = [
      'file:///etc',
      'ext::sh -c touch% /tmp/pwned',
      'http://git.example.test/a.git',
      'git://git.example.test/a.git',
      'https://user:secret@git.example.test/a.git',
      '-uhelp',
      '/srv/repos/a.git',
      'fd::17',
    ];
    return [
      ...forbidden.map((url) => ({
        name: `git url ${url}`,
        method: 'POST',
        path: versions,
        token: 'user',
        body: version(git(url)),
        code:
          url === '-uhelp' || url.includes('::') || url.startsWith('/')
            ? 'git_url_forbidden'
            : 'git_url_forbidden',
      })),
      {
        name: 'git ref with ..',
        method: 'POST',
        path: versions,
        token: 'user',
        body: version({ ...git('https://git.example.test/a.git'), ref: 'a..b' }),
        code: 'validation_failed',
      },
      {
        name: 'entrypoint escaping',
        method: 'POST',
        path: versions,
        token: 'user',
        body: version({ kind: 'inline', files: { 'main.mjs': '' } }, { entrypoint: '../main.mjs' }),
        code: 'validation_failed',
      },
      {
        name: 'inline path escaping',
        method: 'POST',
        path: versions,
        token: 'user',
        body: version({ kind: 'inline', files: { '../x.mjs': '', 'main.mjs': '' } }),
        code: 'validation_failed',
      },
      {
        name: 'inline without the entrypoint',
        method: 'POST',
        path: versions,
        token: 'user',
        body: version({ kind: 'inline', files: { 'other.mjs': '' } }),
        code: 'source_invalid',
      },
      {
        name: 'no source',
        method: 'POST',
        path: versions,
        token: 'user',
        body: version(null),
        code: 'validation_failed',
      },
      {
        name: 'input schema not a schema',
        method: 'POST',
        path: versions,
        token: 'user',
        body: version({ kind: 'inline', files: { 'main.mjs': '' } }, { input_schema: [1] }),
        code: 'validation_failed',
      },
      {
        name: 'package with wb',
        method: 'POST',
        path: versions,
        token: 'user',
        body: version(
          { kind: 'inline', files: { 'main.mjs': '' } },
          { executor: 'wb', package: { package_id: 'x' } },
        ),
        code: 'validation_failed',
      },
      {
        name: 'unknown version',
        method: 'POST',
        path: '/api/v1/workflow-runs',
        token: 'user',
        body: { workflow_id: workflowId, version: 'v404' },
        code: 'workflow_version_not_found',
      },
      {
        name: 'unknown workflow',
        method: 'POST',
        path: '/api/v1/workflow-runs',
        token: 'user',
        body: { workflow_id: FILE_ID, version: 'v1' },
        code: 'workflow_not_found',
      },
      {
        name: 'input failing the schema',
        method: 'POST',
        path: '/api/v1/workflow-runs',
        token: 'user',
        body: { workflow_id: workflowId, version: 'v1', input: { n: 'seven' } },
        code: 'input_invalid',
      },
      {
        name: 'oversized input',
        method: 'POST',
        path: '/api/v1/workflow-runs',
        token: 'user',
        body: { workflow_id: workflowId, version: 'v1', input: { s: 'x'.repeat(260 * 1024) } },
        code: 'payload_too_large',
      },
      {
        name: 'both sessions',
        method: 'POST',
        path: '/api/v1/workflow-runs',
        token: 'user',
        body: {
          workflow_id: workflowId,
          version: 'v1',
          input: {},
          session: { existing_session_id: sessionId, create_session: {} },
        },
        code: 'validation_failed',
      },
      {
        name: 'a credential binding that does not exist',
        method: 'POST',
        path: '/api/v1/workflow-runs',
        token: 'user',
        body: {
          workflow_id: workflowId,
          version: 'v1',
          input: {},
          credential_binding_ids: [FILE_ID],
        },
        code: 'credential_binding_not_found',
      },
      ...(
        [
          [
            'a workspace input that does not exist',
            { workspace_id: FILE_ID, file_id: FILE_ID },
            'file_workspace_not_found',
          ],
          [
            'a workspace input file that does not exist',
            { workspace_id: workspaceId, file_id: FILE_ID },
            'workspace_file_not_found',
          ],
          [
            'a workspace input mounted at ../x',
            { workspace_id: workspaceId, file_id: FILE_ID, mount_path: '../x' },
            'validation_failed',
          ],
          [
            'a workspace input mounted at /etc/x',
            { workspace_id: workspaceId, file_id: FILE_ID, mount_path: '/etc/x' },
            'validation_failed',
          ],
          [
            'a workspace input without its file',
            { workspace_id: workspaceId },
            'validation_failed',
          ],
        ] as const
      ).map(([name, input, code]) => ({
        name,
        method: 'POST',
        path: '/api/v1/workflow-runs',
        token: 'user',
        body: { workflow_id: workflowId, version: 'v1', input: {}, workspace_inputs: [input] },
        code,
      })),
      {
        name: 'empty client request id',
        method: 'POST',
        path: '/api/v1/workflow-runs',
        token: 'user',
        body: { workflow_id: workflowId, version: 'v1', client_request_id: '' },
        code: 'validation_failed',
      },
      {
        name: 'submit input to a pending run',
        method: 'POST',
        path: `${r}/submit-input`,
        token: 'user',
        body: { input: 1 },
        code: 'run_state_conflict',
      },
      {
        name: 'submit without input',
        method: 'POST',
        path: `${r}/submit-input`,
        token: 'user',
        body: {},
        code: 'validation_failed',
      },
      {
        name: 'reject without reason',
        method: 'POST',
        path: `${r}/reject`,
        token: 'user',
        body: {},
        code: 'validation_failed',
      },
      {
        name: 'claim as a user',
        method: 'POST',
        path: `${r}/claim`,
        token: 'user',
        body: { worker_id: 'x' },
        code: 'workflow_worker_required',
      },
      {
        name: 'state as a user',
        method: 'POST',
        path: `${r}/state`,
        token: 'user',
        body: { state: 'succeeded' },
        code: 'workflow_worker_required',
      },
      {
        name: 'illegal transition',
        method: 'POST',
        path: `${r}/state`,
        token: 'worker',
        body: { state: 'succeeded' },
        code: 'run_state_conflict',
      },
      {
        name: 'runtime hold mode unknown',
        method: 'POST',
        path: `${r}/state`,
        token: 'worker',
        body: { state: 'running', reason: 'Bad Reason' },
        code: 'validation_failed',
      },
      {
        name: 'heartbeat of a stale attempt',
        method: 'POST',
        path: `${r}/heartbeat`,
        token: 'worker',
        body: { attempt: 9 },
        code: 'stale_attempt',
      },
      {
        name: 'logs query garbage',
        method: 'GET',
        path: `${r}/logs?after=-1`,
        token: 'user',
        code: 'validation_failed',
      },
      {
        name: 'logs wait too long',
        method: 'GET',
        path: `${r}/logs?wait_sec=600`,
        token: 'user',
        code: 'validation_failed',
      },
      {
        name: 'runs list bad state',
        method: 'GET',
        path: '/api/v1/workflow-runs?state=dancing',
        token: 'user',
        code: 'validation_failed',
      },
      {
        name: 'produced file without a name',
        method: 'POST',
        path: `${r}/produced-files`,
        token: 'worker',
        raw: 'x',
        contentType: 'text/plain',
        code: 'validation_failed',
      },
      {
        name: 'produced file with a path',
        method: 'POST',
        path: `${r}/produced-files`,
        token: 'worker',
        raw: 'x',
        contentType: 'text/plain',
        headers: { 'x-bpane-file-name': '..%2Fetc%2Fpasswd' },
        code: 'validation_failed',
      },
      {
        name: 'produced file with a wrong digest',
        method: 'POST',
        path: `${r}/produced-files`,
        token: 'worker',
        raw: 'x',
        contentType: 'text/plain',
        headers: { 'x-bpane-file-name': 'a.txt', 'x-bpane-file-sha256': '0'.repeat(64) },
        status: 400,
      },
      {
        name: 'produced file to a foreign workspace',
        method: 'POST',
        path: `${r}/produced-files`,
        token: 'worker',
        raw: 'x',
        contentType: 'text/plain',
        headers: { 'x-bpane-file-name': 'a.txt', 'x-bpane-workflow-workspace-id': FILE_ID },
        code: 'validation_failed',
      },
      {
        name: 'produced file with bad provenance',
        method: 'POST',
        path: `${r}/produced-files`,
        token: 'worker',
        raw: 'x',
        contentType: 'text/plain',
        headers: { 'x-bpane-file-name': 'a.txt', 'x-bpane-file-provenance': '[1' },
        code: 'validation_failed',
      },
      {
        name: 'snapshot for an inline version',
        method: 'PUT',
        path: `/api/v1/workflow-sources/${FILE_ID}/snapshot`,
        token: 'worker',
        raw: 'x',
        contentType: 'application/gzip',
        code: 'workflow_version_not_found',
      },
      {
        name: 'no token on runs',
        method: 'GET',
        path: '/api/v1/workflow-runs',
        token: null,
        code: 'unauthorized',
      },
    ];
  }

  function cases(): Case[] {
    const s = `/api/v1/sessions/${sessionId}`;
    const h = `/api/v1/hosts/${host.id}/heartbeat`;
    const r = `/api/v1/workflow-runs/${runId}`;
    const jsonRoutes: {
      path: string;
      token: Case['token'];
      wrongTypes: unknown;
      unknownField: unknown;
      /** Bodies up to this size are accepted (default 64 KiB). */
      limit?: number;
    }[] = [
      {
        path: '/api/v1/workflows',
        token: 'user',
        wrongTypes: { name: 5 },
        unknownField: { name: 'x', colour: 'red' },
      },
      {
        path: `/api/v1/workflows/${workflowId}/versions`,
        token: 'user',
        wrongTypes: { version: 1, executor: 'playwright', entrypoint: 'a.mjs' },
        unknownField: {
          version: 'v9',
          executor: 'playwright',
          entrypoint: 'a.mjs',
          source: { kind: 'inline', files: { 'a.mjs': '' } },
          timeout: 5,
        },
        limit: 1024 * 1024,
      },
      {
        path: '/api/v1/workflow-runs',
        token: 'user',
        wrongTypes: { workflow_id: 5, version: 'v1' },
        unknownField: { workflow_id: workflowId, version: 'v1', priority: 1 },
        limit: 320 * 1024,
      },
      {
        path: `${r}/submit-input`,
        token: 'user',
        wrongTypes: { input: 1, comment: 5 },
        unknownField: { input: 1, extra: 1 },
        limit: 320 * 1024,
      },
      { path: `${r}/resume`, token: 'user', wrongTypes: { comment: 5 }, unknownField: { x: 1 } },
      {
        path: `${r}/reject`,
        token: 'user',
        wrongTypes: { reason: 5 },
        unknownField: { reason: 'x', y: 1 },
      },
      {
        path: `${r}/logs`,
        token: 'worker',
        wrongTypes: { stream: 'stdin', message: 'x' },
        unknownField: { stream: 'stdout', message: 'x', level: 1 },
        limit: 80 * 1024,
      },
      {
        path: `${r}/claim`,
        token: 'worker',
        wrongTypes: { worker_id: 5 },
        unknownField: { worker_id: 'w', x: 1 },
      },
      {
        path: `${r}/heartbeat`,
        token: 'worker',
        wrongTypes: { attempt: 'one' },
        unknownField: { attempt: 1, x: 1 },
      },
      {
        path: `${r}/state`,
        token: 'worker',
        wrongTypes: { state: 'exploded' },
        unknownField: { state: 'running', colour: 1 },
        limit: 1024 * 1024,
      },
      {
        path: `${r}/automation-access`,
        token: 'worker',
        wrongTypes: { attempt: -1 },
        unknownField: { attempt: 1, x: 1 },
      },
      {
        path: `/api/v1/workflow-sources/${runId}/failure`,
        token: 'worker',
        wrongTypes: { code: 'oops', message: 'x' },
        unknownField: { code: 'git_unreachable', message: 'x', y: 1 },
      },
      {
        path: '/api/v1/sessions',
        token: 'user',
        wrongTypes: { viewport: { width: '800', height: 600 } },
        unknownField: { colour: 'red' },
      },
      {
        path: `${s}/access-tokens`,
        token: 'user',
        wrongTypes: { role: 7 },
        unknownField: { role: 'owner', ttl: 5 },
      },
      {
        path: `${s}/automation-owner`,
        token: 'user',
        wrongTypes: { principal_id: 42 },
        unknownField: { principal_id: 'x', admin: true },
      },
      {
        path: `${s}/mcp-owner`,
        token: 'user',
        wrongTypes: { principal_id: [] },
        unknownField: { width: 800 },
      },
      {
        path: '/api/v1/hosts/enroll',
        token: 'enroll',
        wrongTypes: {
          name: 'h',
          region: 'eu',
          capacity: { max_sessions: -1 },
          relay_url: 'https://x',
          cert_sha256: 'a'.repeat(64),
          agent_version: '1',
        },
        unknownField: {
          name: 'h',
          region: 'eu',
          capacity: { max_sessions: 1 },
          relay_url: 'https://x',
          cert_sha256: 'a'.repeat(64),
          agent_version: '1',
          extra: 1,
        },
      },
      {
        path: h,
        token: 'host',
        wrongTypes: {
          ...host.body(),
          runtimes: [
            {
              session_id: sessionId,
              state: 'exploded',
              restarts: 0,
              display: { width: 1, height: 1 },
            },
          ],
        },
        unknownField: { ...host.body(), gpu: true },
      },
      ...credentialJsonRoutes(runId),
    ];
    jsonRoutes.push(...workspaceJsonRoutes(sessionId, workspaceId));
    jsonRoutes.push(...webhookJsonRoutes(`/api/v1/workflow-event-subscriptions/${subscriptionId}`));
    const out: Case[] = [];
    for (const r of jsonRoutes) {
      out.push(
        {
          name: `${r.path}: invalid JSON`,
          method: 'POST',
          path: r.path,
          token: r.token,
          raw: '{"a":',
          contentType: 'application/json',
          code: 'invalid_json',
        },
        {
          name: `${r.path}: not JSON`,
          method: 'POST',
          path: r.path,
          token: r.token,
          raw: 'a=b',
          contentType: 'text/plain',
          status: 415,
        },
        {
          name: `${r.path}: invalid UTF-8`,
          method: 'POST',
          path: r.path,
          token: r.token,
          raw: INVALID_UTF8,
          contentType: 'application/json',
          code: 'invalid_json',
        },
        {
          name: `${r.path}: array`,
          method: 'POST',
          path: r.path,
          token: r.token,
          raw: '[]',
          contentType: 'application/json',
          code: 'validation_failed',
        },
        {
          name: `${r.path}: null`,
          method: 'POST',
          path: r.path,
          token: r.token,
          raw: 'null',
          contentType: 'application/json',
          code: 'validation_failed',
        },
        {
          name: `${r.path}: string`,
          method: 'POST',
          path: r.path,
          token: r.token,
          raw: '"hello"',
          contentType: 'application/json',
          code: 'validation_failed',
        },
        {
          name: `${r.path}: deeply nested`,
          method: 'POST',
          path: r.path,
          token: r.token,
          raw: NESTED,
          contentType: 'application/json',
        },
        {
          name: `${r.path}: wrong types`,
          method: 'POST',
          path: r.path,
          token: r.token,
          body: r.wrongTypes,
          code: 'validation_failed',
        },
        {
          name: `${r.path}: unknown field`,
          method: 'POST',
          path: r.path,
          token: r.token,
          body: r.unknownField,
          code: 'validation_failed',
        },
        {
          name: `${r.path}: NUL in a string`,
          method: 'POST',
          path: r.path,
          token: r.token,
          raw: '{"principal_id":"a\\u0000b","labels":{"a":"\\u0000"},"name":"\\u0000"}',
          contentType: 'application/json',
        },
        {
          name: `${r.path}: oversized`,
          method: 'POST',
          path: r.path,
          token: r.token,
          raw:
            r.path === h || r.limit
              ? `{"a":"${'x'.repeat(Math.max(1100 * 1024, (r.limit ?? 0) + 1024))}"}`
              : OVERSIZED,
          contentType: 'application/json',
          status: 413,
        },
      );
    }
    // Bad ids in every parameterised route.
    for (const id of BAD_IDS) {
      for (const [method, template] of [
        ['GET', '/api/v1/sessions/{id}'],
        ['DELETE', '/api/v1/sessions/{id}'],
        ['GET', '/api/v1/sessions/{id}/status'],
        ['POST', '/api/v1/sessions/{id}/stop'],
        ['POST', '/api/v1/sessions/{id}/kill'],
        ['POST', '/api/v1/sessions/{id}/access-tokens'],
        ['POST', '/api/v1/sessions/{id}/connections/disconnect-all'],
        ['POST', '/api/v1/sessions/{id}/connections/c1/disconnect'],
        ['POST', '/api/v1/sessions/{id}/mcp-owner'],
        ['DELETE', '/api/v1/sessions/{id}/mcp-owner'],
        ['POST', '/api/v1/sessions/{id}/automation-owner'],
        ['DELETE', '/api/v1/sessions/{id}/automation-owner'],
        ['POST', '/api/v1/hosts/{id}/heartbeat'],
        ['GET', '/api/v1/sessions/{id}/files'],
        ['GET', `/api/v1/sessions/{id}/files/${FILE_ID}`],
        ['GET', `/api/v1/sessions/{id}/files/${FILE_ID}/content`],
        ['GET', `/api/v1/sessions/${sessionId}/files/{id}`],
        ['GET', `/api/v1/sessions/${sessionId}/files/{id}/content`],
        ['PUT', `/api/v1/hosts/{id}/sessions/${sessionId}/files/${FILE_ID}`],
        ['PUT', `/api/v1/hosts/${host.id}/sessions/{id}/files/${FILE_ID}`],
        ['PUT', `/api/v1/hosts/${host.id}/sessions/${sessionId}/files/{id}`],
        ['GET', '/api/v1/workflows/{id}'],
        ['POST', '/api/v1/workflows/{id}/versions'],
        ['GET', '/api/v1/workflows/{id}/versions'],
        ['GET', '/api/v1/workflows/{id}/versions/v1'],
        ['GET', `/api/v1/workflows/${workflowId}/versions/{id}`],
        ['GET', '/api/v1/workflow-runs/{id}'],
        ['POST', '/api/v1/workflow-runs/{id}/cancel'],
        ['POST', '/api/v1/workflow-runs/{id}/submit-input'],
        ['POST', '/api/v1/workflow-runs/{id}/resume'],
        ['POST', '/api/v1/workflow-runs/{id}/reject'],
        ['GET', '/api/v1/workflow-runs/{id}/logs'],
        ['POST', '/api/v1/workflow-runs/{id}/logs'],
        ['GET', '/api/v1/workflow-runs/{id}/events'],
        ['GET', '/api/v1/workflow-runs/{id}/produced-files'],
        ['POST', '/api/v1/workflow-runs/{id}/produced-files'],
        ['GET', `/api/v1/workflow-runs/{id}/produced-files/${FILE_ID}/content`],
        ['GET', `/api/v1/workflow-runs/${runId}/produced-files/{id}/content`],
        ['GET', '/api/v1/workflow-runs/{id}/source-snapshot/content'],
        ['POST', '/api/v1/workflow-runs/{id}/claim'],
        ['POST', '/api/v1/workflow-runs/{id}/heartbeat'],
        ['POST', '/api/v1/workflow-runs/{id}/state'],
        ['POST', '/api/v1/workflow-runs/{id}/automation-access'],
        ['PUT', '/api/v1/workflow-sources/{id}/snapshot'],
        ['POST', '/api/v1/workflow-sources/{id}/failure'],
        ...webhookIdTemplates(subscriptionId),
        ['GET', '/api/v1/sessions/{id}/recordings'],
        ['POST', '/api/v1/sessions/{id}/recordings'],
        ['GET', `/api/v1/sessions/{id}/recordings/${FILE_ID}`],
        ['GET', `/api/v1/sessions/${sessionId}/recordings/{id}`],
        ['POST', `/api/v1/sessions/${sessionId}/recordings/{id}/stop`],
        ['DELETE', `/api/v1/sessions/${sessionId}/recordings/{id}`],
        ['GET', `/api/v1/sessions/${sessionId}/recordings/{id}/content`],
        ['GET', `/api/v1/sessions/${sessionId}/recordings/{id}/dom-events`],
        ['GET', '/api/v1/sessions/{id}/recording-playback'],
        ['GET', '/api/v1/sessions/{id}/recording-playback/manifest'],
        ['GET', '/api/v1/sessions/{id}/recording-playback/export'],
        ['POST', `/api/v1/sessions/${sessionId}/recordings/{id}/complete`],
        ['POST', `/api/v1/sessions/{id}/recordings/${FILE_ID}/fail`],
        ['GET', '/api/v1/recording-worker/sources/{id}'],
        ['PUT', '/api/v1/recording-worker/artifacts/{id}'],
      ] as const) {
        out.push({
          name: `${method} ${template} with id ${id.slice(0, 20)}`,
          method,
          path: template.replace('{id}', id),
          token: template.includes('hosts')
            ? 'host'
            : /claim|heartbeat|state|automation-access|workflow-sources|workflow-event-deliveries/.test(
                  template,
                )
              ? 'worker'
              : 'user',
        });
      }
    }
    for (const id of BAD_IDS)
      for (const [method, template, token] of credentialIdTemplates(runId))
        out.push({
          name: `${method} ${template} with id ${id.slice(0, 20)}`,
          method,
          path: template.replace('{id}', id),
          token,
        });
    for (const id of BAD_IDS)
      for (const [method, template, token] of [
        ...extensionIdTemplates(host.id, sessionId),
        ...workspaceIdTemplates(sessionId, workspaceId, host.id),
      ])
        out.push({
          name: `${method} ${template} with id ${id.slice(0, 20)}`,
          method,
          path: template.replace('{id}', id),
          token,
        });
    out.push(...workspaceCases(sessionId, workspaceId, host.id));
    out.push(...credentialCases(runId));
    out.push(...extensionArchiveCases);
    out.push(...workflowCases(r));
    out.push(...webhookCases(`/api/v1/workflow-event-subscriptions/${subscriptionId}`));
    out.push(
      ...sessionFileCases(s, `/api/v1/hosts/${host.id}/sessions/${sessionId}/files/${FILE_ID}`),
    );
    out.push(...recordingCases(s, recordedId, recordingId, workerToken));
    out.push(
      {
        name: 'connection id with bad characters',
        method: 'POST',
        path: `${s}/connections/${'%20'.repeat(3)}/disconnect`,
        token: 'user',
        code: 'invalid_id',
      },
      {
        name: 'connection id too long',
        method: 'POST',
        path: `${s}/connections/${'c'.repeat(200)}/disconnect`,
        token: 'user',
        code: 'invalid_id',
      },
      {
        name: 'unknown query parameter',
        method: 'GET',
        path: '/api/v1/sessions?colour=red',
        token: 'user',
        code: 'validation_failed',
      },
      {
        name: 'limit 0',
        method: 'GET',
        path: '/api/v1/sessions?limit=0',
        token: 'user',
        code: 'validation_failed',
      },
      {
        name: 'limit not a number',
        method: 'GET',
        path: '/api/v1/sessions?limit=lots',
        token: 'user',
        code: 'validation_failed',
      },
      {
        name: 'limit repeated',
        method: 'GET',
        path: '/api/v1/sessions?limit=1&limit=2',
        token: 'user',
        code: 'validation_failed',
      },
      {
        name: 'garbage cursor',
        method: 'GET',
        path: '/api/v1/sessions?cursor=zzz',
        token: 'user',
        code: 'validation_failed',
      },
      {
        name: 'cursor of the right length but not a UUID',
        method: 'GET',
        path: `/api/v1/sessions?cursor=${'z'.repeat(36)}`,
        token: 'user',
        code: 'validation_failed',
      },
      {
        name: 'unknown state filter',
        method: 'GET',
        path: '/api/v1/sessions?state=dancing',
        token: 'user',
        code: 'validation_failed',
      },
      {
        name: 'hosts list with a query',
        method: 'GET',
        path: '/api/v1/hosts?all=1',
        token: 'operator',
        code: 'validation_failed',
      },
      {
        name: 'garbage bearer token',
        method: 'GET',
        path: '/api/v1/me',
        token: 'not-a-jwt',
        code: 'invalid_token',
      },
      {
        name: 'alg none token',
        method: 'GET',
        path: '/api/v1/me',
        token: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"demo"}').toString('base64url')}.`,
        code: 'invalid_token',
      },
      {
        name: 'huge bearer token',
        method: 'GET',
        path: '/api/v1/me',
        token: 'a'.repeat(20_000),
        code: 'unauthorized',
      },
      {
        name: 'no token on sessions',
        method: 'GET',
        path: '/api/v1/sessions',
        token: null,
        code: 'unauthorized',
      },
      {
        name: 'user token on heartbeat',
        method: 'POST',
        path: `/api/v1/hosts/${host.id}/heartbeat`,
        token: 'user',
        body: host.body(),
        code: 'host_unauthorized',
      },
      {
        name: 'unknown host',
        method: 'POST',
        path: '/api/v1/hosts/01a1ff36-301b-79fc-a9ca-450f4e85a337/heartbeat',
        token: 'host',
        body: host.body(),
        code: 'host_unauthorized',
      },
      {
        name: 'heartbeat with a date that is not one',
        method: 'POST',
        path: h,
        token: 'host',
        body: { ...host.body(), events: [{ session_id: sessionId, type: 'x', at: 'yesterday' }] },
        code: 'validation_failed',
      },
      {
        name: 'heartbeat with an impossible date',
        method: 'POST',
        path: h,
        token: 'host',
        body: {
          ...host.body(),
          connections: [
            {
              connection_id: 'c',
              session_id: sessionId,
              role: 'owner',
              principal: 'p',
              display_name: 'd',
              connected_at: '2026-13-45T99:99:99Z',
            },
          ],
        },
        code: 'validation_failed',
      },
      {
        name: 'operator route with a user token',
        method: 'GET',
        path: '/api/v1/hosts',
        token: 'user',
        code: 'unauthorized',
      },
      {
        name: 'unknown route',
        method: 'GET',
        path: '/api/v2/sessions',
        token: 'user',
        code: 'route_not_found',
      },
      {
        name: 'token endpoint with JSON',
        method: 'POST',
        path: '/dev-oidc/token',
        raw: '{"grant_type":"client_credentials"}',
        contentType: 'application/json',
        status: 400,
      },
      {
        name: 'token endpoint unknown grant',
        method: 'POST',
        path: '/dev-oidc/token',
        raw: 'grant_type=password&username=demo&password=demo-demo',
        contentType: 'application/x-www-form-urlencoded',
        status: 400,
      },
      {
        name: 'token endpoint bad code',
        method: 'POST',
        path: '/dev-oidc/token',
        raw: 'grant_type=authorization_code&code=x&redirect_uri=y&client_id=browserpane-console&code_verifier=z',
        contentType: 'application/x-www-form-urlencoded',
        status: 400,
      },
      {
        name: 'token endpoint bad basic auth',
        method: 'POST',
        path: '/dev-oidc/token',
        raw: 'grant_type=client_credentials',
        contentType: 'application/x-www-form-urlencoded',
        token: null,
        status: 401,
      },
      {
        name: 'authorize without parameters',
        method: 'GET',
        path: '/dev-oidc/authorize',
        status: 400,
      },
      {
        name: 'authorize to a foreign redirect',
        method: 'GET',
        path: `/dev-oidc/authorize?response_type=code&client_id=browserpane-console&redirect_uri=https://evil.test/cb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
        status: 400,
      },
      {
        name: 'authorize with plain PKCE',
        method: 'GET',
        path: `/dev-oidc/authorize?response_type=code&client_id=browserpane-console&redirect_uri=${encodeURIComponent(`${stack?.edge.url}/cb`)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=plain`,
        status: 400,
      },
      {
        name: 'sign-in form as JSON',
        method: 'POST',
        path: '/dev-oidc/authorize',
        raw: '{}',
        contentType: 'application/json',
        status: 400,
      },
      {
        name: 'sign-in with a wrong password',
        method: 'POST',
        path: '/dev-oidc/authorize',
        raw: new URLSearchParams({
          response_type: 'code',
          client_id: 'browserpane-console',
          redirect_uri: `${stack?.edge.url}/cb`,
          code_challenge: 'a'.repeat(43),
          code_challenge_method: 'S256',
          username: 'demo',
          password: 'nope',
        }).toString(),
        contentType: 'application/x-www-form-urlencoded',
        status: 401,
      },
    );
    out.push(...devOidcCases(stack.edge.url));
    // Every documented path with a method it does not have.
    for (const { path } of documentedOperations()) {
      const concrete = path
        .replace('{session_id}', sessionId)
        .replace('{host_id}', host.id)
        .replace('{connection_id}', 'c1')
        .replace('{file_id}', FILE_ID)
        .replace('{workflow_id}', workflowId)
        .replace('{version}', 'v1')
        .replace('{run_id}', runId)
        .replace('{version_id}', runId)
        .replace('{binding_id}', FILE_ID)
        .replace('{recording_id}', FILE_ID)
        .replace('{artifact}', 'video')
        .replace('{extension_id}', FILE_ID)
        .replace('{path}', 'x');
      const token = path.startsWith('/api/v1/recording-worker/')
        ? null
        : path.startsWith('/api/v1/hosts/')
          ? 'host'
          : path.startsWith('/api/v1/hosts')
            ? 'operator'
            : /\/(claim|heartbeat|state|automation-access|resolve)$|workflow-sources/.test(path)
              ? 'worker'
              : 'user';
      // A path that has PUT gets a method it does not have instead.
      const method = SPEC.paths[path]?.put ? 'PATCH' : 'PUT';
      out.push({
        name: `${method} ${path}`,
        method,
        path: concrete,
        token,
        status: path.startsWith('/console/') ? 404 : 405,
      });
    }
    return out;
  }

  it('answers every malformed request with a 4xx in the one error shape, never a 5xx', async () => {
    const tokens: Record<string, string> = {
      user,
      host: host.credential,
      worker,
      enroll: stack.edge.secrets.hostEnrollmentToken,
      operator: stack.edge.secrets.operatorToken,
    };
    const all = cases();
    expect(all.length).toBeGreaterThan(150);
    for (const c of all) {
      const token = c.token === undefined || c.token === null ? null : (tokens[c.token] ?? c.token);
      // Bodies go raw: the documented request schemas would (rightly) refuse to send them.
      const raw = c.body !== undefined ? JSON.stringify(c.body) : c.raw;
      const contentType = c.body !== undefined ? 'application/json' : c.contentType;
      const res = await stack.api.request(c.method, c.path, {
        token,
        raw,
        headers: { ...c.headers, ...(contentType ? { 'content-type': contentType } : {}) },
      });
      results.push({ name: c.name, status: res.status });
      expect(res.status, c.name).toBeGreaterThanOrEqual(400);
      expect(res.status, `${c.name}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
      if (c.status) expect(res.status, c.name).toBe(c.status);
      if (c.code) expect(res.body?.code, `${c.name}: ${res.text.slice(0, 200)}`).toBe(c.code);
      if (
        (res.headers.get('content-type') ?? '').includes('json') &&
        !c.path.startsWith('/dev-oidc/token')
      ) {
        expect(res.body.error.length, c.name).toBeGreaterThan(5);
      }
    }
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
  });

  /** One raw HTTP/1.1 exchange (what fetch cannot send: odd request targets, bad syntax). */
  function rawRequest(head: string): Promise<{ status: number; type: string; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(stack.edge.port, '127.0.0.1');
      let text = '';
      socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${head}`)));
      socket.on('data', (d) => {
        text += d.toString('latin1');
      });
      socket.on('error', reject);
      socket.on('close', () => {
        const [headers = '', body = ''] = text.split('\r\n\r\n', 2);
        resolve({
          status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0),
          type: /^content-type:\s*(.+)$/im.exec(headers)?.[1]?.trim() ?? '',
          body,
        });
      });
      socket.end(head);
    });
  }

  it('answers odd request targets and broken request lines with a JSON 4xx, never a 5xx', async () => {
    const targets = [
      '*',
      'http://evil.test/healthz',
      `http://127.0.0.1:${stack.edge.port}/api/v1/sessions`,
      'https://127.0.0.1/readyz',
      'healthz',
      '//api/v1/sessions',
      '/%',
      '/..%2f..%2fetc/passwd',
      '/api/v1/sessions/%00',
      `/${'a'.repeat(6000)}`,
    ];
    const seen: { request: string; status: number }[] = [];
    for (const target of targets) {
      for (const method of ['GET', 'OPTIONS', 'POST', 'CONNECT']) {
        const head = `${method} ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`;
        const res = await rawRequest(head);
        seen.push({ request: `${method} ${target.slice(0, 40)}`, status: res.status });
        expect(
          res.status,
          `${method} ${target.slice(0, 60)}: ${res.body.slice(0, 200)}`,
        ).toBeGreaterThanOrEqual(400);
        expect(res.type, `${method} ${target.slice(0, 60)}`).toContain('application/json');
        const label = `${method} ${target.slice(0, 60)}`;
        expect(checkErrorBody(JSON.parse(res.body), label)).toEqual([]);
      }
    }
    for (const broken of [
      'GET / HTTP/9.9\r\n\r\n',
      'GET /healthz\r\n\r\n',
      'G\u0000T / HTTP/1.1\r\nhost: x\r\n\r\n',
      'GET / HTTP/1.1\r\nhost: x\r\ncontent-length: -1\r\n\r\n',
      'GET / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
    ]) {
      const res = await rawRequest(broken);
      seen.push({ request: JSON.stringify(broken.slice(0, 30)), status: res.status });
      // Answered (a request line without a version is HTTP/1.0 to Node: a 200 is fine), never 5xx.
      expect(res.status, JSON.stringify(broken)).toBeGreaterThanOrEqual(200);
      expect(res.status, JSON.stringify(broken)).toBeLessThan(500);
    }
    expect(seen.filter((r) => r.status >= 500)).toEqual([]);
  });

  it('answers bodies over 4 MiB with a 413 (or the route’s own refusal), never a reset', async () => {
    const outcomes: string[] = [];
    for (const mib of [5, 16, 64]) {
      const body = new Uint8Array(mib * 1024 * 1024).fill(0x20);
      for (const [token, expected] of [
        [user, 413],
        [null, 401],
      ] as const) {
        for (let i = 0; i < 3; i++) {
          const outcome = await fetch(`${stack.edge.url}/api/v1/sessions`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            body,
          }).then(
            async (res) => `${res.status} ${((await res.json()) as { code: string }).code}`,
            (err: Error) => `network error: ${(err.cause as Error)?.message ?? err.message}`,
          );
          outcomes.push(`${mib} MiB ${token ? 'user' : 'anonymous'}: ${outcome}`);
          expect(outcome, `${mib} MiB`).toMatch(new RegExp(`^${expected} `));
        }
      }
    }
    // The report's anonymous 128 MiB sign-in POST: refused by its declared size, nothing buffered.
    for (const path of ['/dev-oidc/token', '/dev-oidc/authorize']) {
      const res = await fetch(`${stack.edge.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new Uint8Array(128 * 1024 * 1024).fill(0x61),
      });
      expect(res.status, path).toBe(413);
      expect(((await res.json()) as { code: string }).code).toBe('payload_too_large');
    }
  });

  it('still works after all that', async () => {
    expect((await stack.api.get(`/api/v1/sessions/${sessionId}`, user)).status).toBe(200);
    expect((await stack.api.get('/readyz')).status).toBe(200);
  });

  it('says the console is not built when there is no ASSETS binding', async () => {
    const res = await stack.api.get('/');
    expect(res.text).toContain('console is not built');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
