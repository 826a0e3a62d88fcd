/** Malformed requests to the credential-binding routes, in the bad-input table's shape. */
import { FILE_ID } from './session-file-cases.ts';

const BINDINGS = '/api/v1/credential-bindings';

/** JSON routes: wrong types, unknown fields (the table adds invalid JSON, oversize, …). */
export function credentialJsonRoutes(runId: string) {
  return [
    {
      path: BINDINGS,
      token: 'user',
      wrongTypes: { name: 5, kind: 'secret', secret_payload: { value: 'x' } },
      unknownField: { name: 'x', kind: 'secret', secret_payload: { value: 'x' }, colour: 1 },
    },
    {
      path: `/api/v1/workflow-runs/${runId}/credential-bindings/${FILE_ID}/resolve`,
      token: 'worker',
      wrongTypes: { attempt: 'one', worker_id: 'w' },
      unknownField: { attempt: 1, worker_id: 'w', x: 1 },
    },
  ];
}

/** Bad ids in every credential route's path parameters. */
export function credentialIdTemplates(runId: string) {
  return [
    ['GET', `${BINDINGS}/{id}`, 'user'],
    ['DELETE', `${BINDINGS}/{id}`, 'user'],
    ['POST', `/api/v1/workflow-runs/{id}/credential-bindings/${FILE_ID}/resolve`, 'worker'],
    ['POST', `/api/v1/workflow-runs/${runId}/credential-bindings/{id}/resolve`, 'worker'],
  ] as const;
}

/** Each route's own refusals, each a clear 4xx code. */
export function credentialCases(runId: string) {
  const create = (name: string, body: unknown, code: string, token: string | null = 'user') => ({
    name: `credential binding: ${name}`,
    method: 'POST',
    path: BINDINGS,
    token,
    body,
    code,
  });
  const pw = { username: 'a', password: 'b' };
  return [
    create(
      'anonymous',
      { name: 'a', kind: 'secret', secret_payload: { value: 'x' } },
      'unauthorized',
      null,
    ),
    create('no kind', { name: 'a', secret_payload: { value: 'x' } }, 'validation_failed'),
    create('unknown kind', { name: 'a', kind: 'ssh', secret_payload: {} }, 'validation_failed'),
    create(
      'bad name',
      { name: '../x', kind: 'secret', secret_payload: { value: 'x' } },
      'validation_failed',
    ),
    create('no secret', { name: 'a', kind: 'secret' }, 'validation_failed'),
    create(
      'secret of the wrong shape',
      { name: 'a', kind: 'secret', secret_payload: 'x' },
      'validation_failed',
    ),
    create(
      'form fill without origins',
      { name: 'a', kind: 'password', secret_payload: pw },
      'validation_failed',
    ),
    create(
      'origin with a path',
      { name: 'a', kind: 'password', allowed_origins: ['https://a.test/x'], secret_payload: pw },
      'validation_failed',
    ),
    create(
      'origin not a URL',
      { name: 'a', kind: 'password', allowed_origins: ['a.test'], secret_payload: pw },
      'validation_failed',
    ),
    create(
      'file origin',
      { name: 'a', kind: 'password', allowed_origins: ['file:///etc'], secret_payload: pw },
      'validation_failed',
    ),
    create(
      'too many origins',
      {
        name: 'a',
        kind: 'password',
        allowed_origins: Array.from({ length: 40 }, (_, i) => `https://a${i}.test`),
        secret_payload: pw,
      },
      'validation_failed',
    ),
    create(
      'mode that does not fit the kind',
      { name: 'a', kind: 'cookies', injection_mode: 'form_fill', secret_payload: { cookies: [] } },
      'validation_failed',
    ),
    create(
      'totp seed not base32',
      {
        name: 'a',
        kind: 'totp',
        allowed_origins: ['https://a.test'],
        secret_payload: { seed: '1'.repeat(20) },
      },
      'validation_failed',
    ),
    create(
      'totp digits out of range',
      {
        name: 'a',
        kind: 'totp',
        allowed_origins: ['https://a.test'],
        totp: { digits: 3 },
        secret_payload: { seed: 'A'.repeat(32) },
      },
      'validation_failed',
    ),
    create(
      'secret too large',
      { name: 'a', kind: 'secret', secret_payload: { value: 'x'.repeat(40 * 1024) } },
      'payload_too_large',
    ),
    create(
      'vault provider',
      { name: 'a', provider: 'vault_kv_v2', injection_mode: 'read', external_ref: 'kv/a' },
      'credential_provider_unsupported',
    ),
    create(
      'a project',
      { name: 'a', kind: 'secret', project_id: FILE_ID, secret_payload: { value: 'x' } },
      'validation_failed',
    ),
    {
      name: 'credential binding: unknown id',
      method: 'GET',
      path: `${BINDINGS}/${FILE_ID}`,
      token: 'user',
      code: 'credential_binding_not_found',
    },
    {
      name: 'credential binding: delete an unknown id',
      method: 'DELETE',
      path: `${BINDINGS}/${FILE_ID}`,
      token: 'user',
      code: 'credential_binding_not_found',
    },
    {
      name: 'credential bindings: a query',
      method: 'GET',
      path: `${BINDINGS}?name=x`,
      token: 'user',
      code: 'validation_failed',
    },
    {
      name: 'resolve as the owner',
      method: 'POST',
      path: `/api/v1/workflow-runs/${runId}/credential-bindings/${FILE_ID}/resolve`,
      token: 'user',
      body: { attempt: 1, worker_id: 'w' },
      code: 'workflow_worker_required',
    },
    {
      name: 'resolve anonymously',
      method: 'POST',
      path: `/api/v1/workflow-runs/${runId}/credential-bindings/${FILE_ID}/resolve`,
      token: null,
      body: { attempt: 1, worker_id: 'w' },
      code: 'unauthorized',
    },
    {
      name: 'resolve for a run nobody holds',
      method: 'POST',
      path: `/api/v1/workflow-runs/${runId}/credential-bindings/${FILE_ID}/resolve`,
      token: 'worker',
      body: { attempt: 1, worker_id: 'w' },
      code: 'stale_attempt',
    },
    {
      name: 'resolve for an unknown run',
      method: 'POST',
      path: `/api/v1/workflow-runs/${FILE_ID}/credential-bindings/${FILE_ID}/resolve`,
      token: 'worker',
      body: { attempt: 1, worker_id: 'w' },
      code: 'workflow_run_not_found',
    },
    {
      name: 'resolve without a body',
      method: 'POST',
      path: `/api/v1/workflow-runs/${runId}/credential-bindings/${FILE_ID}/resolve`,
      token: 'worker',
      code: 'validation_failed',
    },
    {
      name: 'rewrap as a user',
      method: 'POST',
      path: '/api/v1/maintenance/rewrap-credentials',
      token: 'user',
      code: 'unauthorized',
    },
    {
      name: 'rewrap with a query',
      method: 'POST',
      path: '/api/v1/maintenance/rewrap-credentials?all=1',
      token: 'operator',
      code: 'validation_failed',
    },
    {
      name: 'run granted an unknown binding',
      method: 'POST',
      path: '/api/v1/workflow-runs',
      token: 'user',
      body: { workflow_id: FILE_ID, version: 'v1', credential_binding_ids: [FILE_ID, FILE_ID] },
      code: 'validation_failed',
    },
  ];
}
