import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginDevUser } from './support/oidc.ts';
import { check } from './support/reference-v1.ts';
import {
  CREDENTIAL_BINDING,
  CREDENTIAL_BINDING_LIST,
  RUN_CREDENTIAL_BINDINGS,
} from './support/reference-v1-credentials.ts';
import { type Stack, startStack } from './support/stack.ts';

const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;

/**
 * A reference client's credential binding calls against the default stack (no Vault: the
 * `npm start` setup): its create bodies name `provider: vault_kv_v2`, the one value its enum
 * has, and every answer must hold the members and values it reads (digest §11, §8.A).
 */
describe('credential bindings as a reference client sees them (no Vault)', () => {
  let stack: Stack;
  let demo: string;
  let demo2: string;
  const api = () => stack.api;

  beforeAll(async () => {
    stack = await startStack('pglite');
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
  });
  afterAll(() => stack?.stop());

  const bodies = [
    {
      name: 'ref-login',
      provider: 'vault_kv_v2',
      namespace: 'team-a',
      allowed_origins: ['https://login.example.com'],
      injection_mode: 'form_fill',
      secret_payload: { username: 'ada', password: PASSWORD },
      labels: { source: 'reference' },
    },
    {
      name: 'ref-otp',
      provider: 'vault_kv_v2',
      allowed_origins: ['https://login.example.com'],
      injection_mode: 'totp_fill',
      totp: { issuer: 'Example', account_name: 'ada', period_sec: 30, digits: 6 },
      secret_payload: { seed: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' },
    },
    {
      name: 'ref-cookies',
      provider: 'vault_kv_v2',
      allowed_origins: ['https://app.example.com'],
      injection_mode: 'cookie_seed',
      totp: null,
      project_id: null,
      external_ref: null,
      secret_payload: { cookies: [{ name: 'sid', value: 'ref-cookie' }] },
    },
  ];

  it('creates, lists and gets bindings from reference bodies, answering reference values', async () => {
    const ids: string[] = [];
    for (const body of bodies) {
      const res = await api().post('/api/v1/credential-bindings', demo, body);
      expect(res.status, `${body.name}: ${res.text.slice(0, 300)}`).toBe(201);
      expect(check(CREDENTIAL_BINDING, res.body), body.name).toEqual([]);
      // Ours beside the reference's: where the secret lives on this edge.
      expect(res.body).toMatchObject({ provider: 'vault_kv_v2', secret_store: 'local' });
      expect(res.body.external_ref).toBe(`browserpane:credential-bindings/${res.body.id}`);
      expect(res.text).not.toContain(PASSWORD);
      ids.push(res.body.id);
    }
    const list = await api().get('/api/v1/credential-bindings', demo);
    expect(list.status).toBe(200);
    expect(check(CREDENTIAL_BINDING_LIST, list.body)).toEqual([]);
    expect(list.body.credential_bindings).toHaveLength(3);
    for (const id of ids) {
      const one = await api().get(`/api/v1/credential-bindings/${id}`, demo);
      expect(one.status).toBe(200);
      expect(check(CREDENTIAL_BINDING, one.body), id).toEqual([]);
      expect(one.text).not.toContain(PASSWORD);
    }
    // Another owner and an anonymous caller see none of it.
    expect((await api().get(`/api/v1/credential-bindings/${ids[0]}`, demo2)).status).toBe(404);
    expect(
      (await api().get('/api/v1/credential-bindings', demo2)).body.credential_bindings,
    ).toEqual([]);
    expect((await api().get('/api/v1/credential-bindings', null)).status).toBe(401);
    expect(
      (await api().post('/api/v1/credential-bindings', null, bodies[0], { unchecked: true }))
        .status,
    ).toBe(401);

    const workflow = await api().post('/api/v1/workflows', demo, { name: 'reference secrets' });
    const version = await api().post(`/api/v1/workflows/${workflow.body.id}/versions`, demo, {
      version: 'v1',
      executor: 'playwright',
      entrypoint: 'main.mjs',
      source: { kind: 'inline', files: { 'main.mjs': 'export default async () => 1;\n' } },
      allowed_credential_binding_ids: ids,
    });
    expect(version.status, version.text).toBe(201);
    const run = await api().post('/api/v1/workflow-runs', demo, {
      workflow_id: workflow.body.id,
      version: 'v1',
      credential_binding_ids: ids,
    });
    expect(run.status, run.text).toBe(201);
    expect(check(RUN_CREDENTIAL_BINDINGS, run.body)).toEqual([]);
    const read = await api().get(`/api/v1/workflow-runs/${run.body.id}`, demo);
    expect(check(RUN_CREDENTIAL_BINDINGS, read.body)).toEqual([]);
    expect(read.body.credential_bindings.map((b: { name: string }) => b.name).sort()).toEqual(
      bodies.map((b) => b.name).sort(),
    );
    expect(read.text).not.toContain(PASSWORD);
  });

  it('refuses an external_ref with a clear code: the edge stores every secret itself', async () => {
    const res = await api().post('/api/v1/credential-bindings', demo, {
      name: 'ref-external',
      provider: 'vault_kv_v2',
      external_ref: 'secret/team/db',
      injection_mode: 'form_fill',
      allowed_origins: ['https://login.example.com'],
    });
    expect([res.status, res.body.code]).toEqual([400, 'credential_provider_unsupported']);
    expect(res.body.error).toMatch(/send secret_payload instead/);
  });
});
