import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, expect, it } from 'vitest';
import { type FakeVault, startFakeVault } from './fake-vault.ts';
import type { Stack } from './stack.ts';

const VAULT_PASSWORD = `vault-pw-${randomBytes(12).toString('hex')}`;
const WRONG_TOKEN = `hvs.wrong-${randomBytes(8).toString('hex')}`;

export interface VaultContext {
  stack(): Stack;
  demo(): string;
  demo2(): string;
  worker(): string;
  workflowId(): string;
  /** The edge's current CREDENTIALS_KEK. */
  kek(): string;
  /** A `local` binding made before the Vault backend was on. */
  localBindingId(): string;
  dump(): Promise<string>;
  edgeLogs: string[];
}

/**
 * The Vault / OpenBao KV v2 credential store, against the credential test's stack (restarted with
 * `VAULT_ADDR`) and a loopback stand-in of Vault's documented KV v2 API: the secret goes to Vault,
 * Postgres keeps metadata only, a run resolves it, delete removes it from Vault, and Vault down or
 * refusing the token is a typed 503 that names neither token.
 */
export function vaultCases(ctx: VaultContext) {
  let vault: FakeVault;
  let bindingId: string;
  let runId: string;
  let lease: string;
  let mine: { attempt: number; worker_id: string };
  const api = () => ctx.stack().api;
  const withVault = (vars: Record<string, string> = {}) =>
    ctx.stack().restartEdge({
      CREDENTIALS_KEK: ctx.kek(),
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.token,
      VAULT_NAMESPACE: 'team-a',
      ...vars,
    });
  const resolve = (id: string) =>
    api().post(
      `/api/v1/workflow-runs/${runId}/credential-bindings/${id}/resolve`,
      ctx.worker(),
      mine,
      {
        headers: { 'x-bpane-run-lease': lease },
      },
    );
  const row = async (id: string) => {
    const sql = postgres(ctx.stack().databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const [r] =
        await sql`select provider, ciphertext, wrapped_key, kek_id, vault_ref from credential_bindings where id = ${id}`;
      return r;
    } finally {
      await sql.end();
    }
  };

  afterAll(() => vault?.stop());

  it('vault: keeps a new secret in Vault KV v2, only metadata in Postgres', async () => {
    vault = await startFakeVault({ namespace: 'team-a' });
    await withVault();
    const created = await api().post('/api/v1/credential-bindings', ctx.demo(), {
      name: 'vault-login',
      kind: 'password',
      allowed_origins: ['https://login.example.com'],
      secret_payload: { username: 'ada', password: VAULT_PASSWORD },
    });
    expect(created.status, created.text).toBe(201);
    bindingId = created.body.id;
    const path = `browserpane/credentials/${bindingId}`;
    expect(created.body).toMatchObject({
      provider: 'vault_kv_v2',
      secret_store: 'vault',
      external_ref: `secret/${path}`,
      fingerprint: expect.stringMatching(/^hmac-sha256:/),
    });
    expect(created.text).not.toContain(VAULT_PASSWORD);
    expect(vault.secrets.get(`secret/${path}`)?.map((v) => v.data)).toEqual([
      { username: 'ada', password: VAULT_PASSWORD },
    ]);
    expect(vault.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: `/v1/secret/data/${path}`,
      token: vault.token,
      namespace: 'team-a',
    });
    expect(await row(bindingId)).toEqual({
      provider: 'vault_kv_v2',
      ciphertext: null,
      wrapped_key: null,
      kek_id: null,
      vault_ref: { mount: 'secret', path },
    });
    expect(await ctx.dump()).not.toContain(VAULT_PASSWORD);
    // `local` stays available by name while Vault is the default.
    const local = await api().post('/api/v1/credential-bindings', ctx.demo(), {
      name: 'still-local',
      provider: 'local',
      kind: 'secret',
      secret_payload: { value: 'local-value' },
    });
    expect([local.status, local.body.provider, local.body.secret_store]).toEqual([
      201,
      'vault_kv_v2',
      'local',
    ]);
    expect((await row(local.body.id))?.ciphertext).toMatch(/^v1\./);
  });

  it('vault: a run resolves the secret from Vault (and a local one beside it)', async () => {
    const run = await api().post('/api/v1/workflow-runs', ctx.demo(), {
      workflow_id: ctx.workflowId(),
      version: 'v1',
      credential_binding_ids: [bindingId, ctx.localBindingId()],
    });
    expect(run.status, run.text).toBe(201);
    expect(
      run.body.credential_bindings.map(
        (b: { provider: string; secret_store: string }) => `${b.provider}/${b.secret_store}`,
      ),
    ).toEqual(['vault_kv_v2/vault', 'vault_kv_v2/local']);
    runId = run.body.id;
    const claim = await api().post(`/api/v1/workflow-runs/${runId}/claim`, ctx.worker(), {
      worker_id: 'worker-v',
    });
    expect(claim.status, claim.text).toBe(200);
    lease = claim.body.lease_token;
    mine = { attempt: claim.body.attempt, worker_id: 'worker-v' };
    const ok = await resolve(bindingId);
    expect([ok.status, ok.body.payload]).toEqual([
      200,
      { username: 'ada', password: VAULT_PASSWORD },
    ]);
    expect([ok.body.binding.provider, ok.body.binding.secret_store]).toEqual([
      'vault_kv_v2',
      'vault',
    ]);
    expect((await resolve(ctx.localBindingId())).status).toBe(200);
  });

  it('vault: a refused token or Vault down is a typed 503 naming no token; nothing half-stored', async () => {
    await withVault({ VAULT_TOKEN: WRONG_TOKEN });
    const denied = await resolve(bindingId);
    expect([denied.status, denied.body.code]).toEqual([503, 'credential_store_forbidden']);
    expect(denied.body.error).toMatch(
      /refused the edge's token \(permission denied\).*VAULT_TOKEN/,
    );
    const refusedCreate = await api().post('/api/v1/credential-bindings', ctx.demo(), {
      name: 'never-stored',
      kind: 'secret',
      secret_payload: { value: 'x' },
    });
    expect([refusedCreate.status, refusedCreate.body.code]).toEqual([
      503,
      'credential_store_forbidden',
    ]);

    await withVault();
    await vault.stop();
    try {
      const down = await resolve(bindingId);
      expect([down.status, down.body.code]).toEqual([503, 'credential_store_unavailable']);
      expect(down.body.error).toMatch(/could not be reached/);
      const kept = await api().delete(`/api/v1/credential-bindings/${bindingId}`, ctx.demo());
      expect([kept.status, kept.body.code]).toEqual([503, 'credential_store_unavailable']);
      expect((await api().get(`/api/v1/credential-bindings/${bindingId}`, ctx.demo())).status).toBe(
        200,
      );
      const downCreate = await api().post('/api/v1/credential-bindings', ctx.demo(), {
        name: 'never-stored',
        kind: 'secret',
        secret_payload: { value: 'x' },
      });
      expect(downCreate.body.code).toBe('credential_store_unavailable');
    } finally {
      await vault.start();
    }
    const names = (await api().get('/api/v1/credential-bindings', ctx.demo())).body
      .credential_bindings as { name: string }[];
    expect(names.map((b) => b.name)).not.toContain('never-stored');
    for (const res of [denied, refusedCreate])
      for (const token of [vault.token, WRONG_TOKEN]) expect(res.text).not.toContain(token);
    const logs = ctx.edgeLogs.join('\n');
    // The refusals were logged (so the search below looks at them).
    expect(logs).toMatch(/credential_store_forbidden/);
    expect(logs).toMatch(/credential_store_unavailable/);
    for (const secret of [vault.token, WRONG_TOKEN, VAULT_PASSWORD])
      expect(logs.includes(secret), 'a secret in the edge logs').toBe(false);
  });

  it("vault: another owner cannot delete it; the owner's delete removes every version from Vault", async () => {
    const path = `secret/browserpane/credentials/${bindingId}`;
    expect(
      (await api().delete(`/api/v1/credential-bindings/${bindingId}`, ctx.demo2())).body.code,
    ).toBe('credential_binding_not_found');
    expect((await api().delete(`/api/v1/credential-bindings/${bindingId}`, null)).status).toBe(401);
    expect(vault.secrets.has(path)).toBe(true);
    const deleted = await api().delete(`/api/v1/credential-bindings/${bindingId}`, ctx.demo());
    expect(deleted.status, deleted.text).toBe(200);
    expect(vault.secrets.has(path)).toBe(false);
    expect(vault.requests.at(-1)).toMatchObject({
      method: 'DELETE',
      path: `/v1/secret/metadata/browserpane/credentials/${bindingId}`,
    });
    // A secret removed from Vault behind the edge's back: a clear 410, not a 500.
    const orphan = await api().post('/api/v1/credential-bindings', ctx.demo(), {
      name: 'orphan',
      kind: 'secret',
      secret_payload: { value: 'gone-soon' },
    });
    vault.secrets.delete(`secret/browserpane/credentials/${orphan.body.id}`);
    const run = await api().post('/api/v1/workflow-runs', ctx.demo(), {
      workflow_id: ctx.workflowId(),
      version: 'v1',
      credential_binding_ids: [orphan.body.id],
    });
    runId = run.body.id;
    const claim = await api().post(`/api/v1/workflow-runs/${runId}/claim`, ctx.worker(), {
      worker_id: 'worker-v',
    });
    lease = claim.body.lease_token;
    mine = { attempt: claim.body.attempt, worker_id: 'worker-v' };
    const gone = await resolve(orphan.body.id);
    expect([gone.status, gone.body.code]).toEqual([410, 'credential_secret_missing']);
    await ctx.stack().restartEdge({ CREDENTIALS_KEK: ctx.kek() });
  });
}
