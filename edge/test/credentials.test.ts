import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vaultCases } from './support/credential-vault-cases.ts';
import { loginDevUser, serviceToken } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';
import { PUBLIC_TARGET } from './support/webhook-cases.ts';

const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const API_KEY = `key-${randomBytes(12).toString('hex')}`;
const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const COOKIE = `ck-${randomBytes(12).toString('hex')}`;
const SECRETS = [PASSWORD, API_KEY, SEED, COOKIE];

/**
 * Credential bindings against the edge under workerd on PGlite: owner-scoped CRUD that never
 * answers the secret, nothing in the clear in the database, granting to runs, resolution only by
 * the worker holding the run, and key-encryption key rotation (a wrong key is a clear 503, the
 * previous key opens old rows, the re-wrap moves them to the new key).
 */
describe('credential bindings (pglite)', () => {
  let stack: Stack;
  let demo: string;
  let demo2: string;
  let worker: string;
  let oldKek: string;
  /** The edge's current CREDENTIALS_KEK (the rotation test changes it). */
  let kek: string;
  let workflowId: string;
  const ids: Record<string, string> = {};
  /** Everything the edge logged (searched for secrets). */
  const edgeLogs: string[] = [];
  const api = () => stack.api;
  const create = (body: Record<string, unknown>, token = demo) =>
    api().post('/api/v1/credential-bindings', token, body);
  /** The lease each claimed run's worker holds (shown with every resolution unless told). */
  const leases = new Map<string, string>();
  const resolve = (
    runId: string,
    bindingId: string,
    body: unknown,
    token = worker,
    lease = leases.get(runId),
  ) =>
    api().post(
      `/api/v1/workflow-runs/${runId}/credential-bindings/${bindingId}/resolve`,
      token,
      body,
      { headers: lease ? { 'x-bpane-run-lease': lease } : {} },
    );

  /** Every row of every table, as JSON text (what a database dump holds). */
  async function dump(): Promise<string> {
    const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const tables =
        await sql`select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' and table_schema in ('public', 'graphile_worker')`;
      let out = '';
      for (const t of tables) {
        const rows = await sql.unsafe(
          `select row_to_json(t)::text as j from "${t.table_schema}"."${t.table_name}" t`,
        );
        for (const r of rows) out += `${r.j}\n`;
      }
      return out;
    } finally {
      await sql.end();
    }
  }

  async function newRun(bindingIds: string[], token = demo) {
    return api().post('/api/v1/workflow-runs', token, {
      workflow_id: workflowId,
      version: 'v1',
      credential_binding_ids: bindingIds,
    });
  }

  beforeAll(async () => {
    stack = await startStack('pglite', {
      vars: { WORKFLOW_LEASE_MS: '60000' },
      log: (line) => edgeLogs.push(line),
    });
    oldKek = JSON.parse(readFileSync(join(stack.dataDir, 'edge-dev-secrets.json'), 'utf8'))
      .CREDENTIALS_KEK as string;
    kek = oldKek;
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
    worker = await serviceToken(
      stack.edge.url,
      'workflow-worker',
      stack.edge.secrets.serviceClients['workflow-worker'] as string,
    );
    workflowId = (await api().post('/api/v1/workflows', demo, { name: 'uses secrets' })).body.id;
    const v = await api().post(`/api/v1/workflows/${workflowId}/versions`, demo, {
      version: 'v1',
      executor: 'playwright',
      entrypoint: 'main.mjs',
      source: { kind: 'inline', files: { 'main.mjs': 'export default async () => 1;\n' } },
    });
    expect(v.status).toBe(201);
  });
  afterAll(() => stack?.stop());

  it('stores each kind and answers metadata and a fingerprint, never the secret', async () => {
    const login = await create({
      name: 'site-login',
      kind: 'password',
      allowed_origins: ['https://Login.Example.com:443/'],
      secret_payload: { username: 'ada', password: PASSWORD },
      labels: { team: 'qa' },
    });
    expect(login.status).toBe(201);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.body).toMatchObject({
      name: 'site-login',
      provider: 'vault_kv_v2',
      secret_store: 'local',
      kind: 'password',
      injection_mode: 'form_fill',
      allowed_origins: ['https://login.example.com'],
      external_ref: `browserpane:credential-bindings/${login.body.id}`,
      totp: null,
      project_id: null,
      labels: { team: 'qa' },
    });
    expect(login.body.fingerprint).toMatch(/^hmac-sha256:[A-Za-z0-9_-]{22}$/);
    ids.login = login.body.id;
    // The reference's request shape: injection_mode names the kind.
    const key = await create({
      name: 'api-key',
      provider: 'local',
      injection_mode: 'read',
      secret_payload: { value: API_KEY },
    });
    expect(key.body).toMatchObject({ kind: 'secret', injection_mode: 'read', allowed_origins: [] });
    ids.key = key.body.id;
    const totp = await create({
      name: 'otp',
      injection_mode: 'totp_fill',
      allowed_origins: ['http://127.0.0.1:8080'],
      totp: { issuer: 'Example', account_name: 'ada', digits: 8 },
      secret_payload: { seed: SEED.toLowerCase() },
    });
    expect(totp.body).toMatchObject({
      kind: 'totp',
      totp: { issuer: 'Example', account_name: 'ada', digits: 8, period_sec: 30 },
    });
    ids.totp = totp.body.id;
    const cookies = await create({
      name: 'session-cookie',
      kind: 'cookies',
      allowed_origins: ['https://app.example.com'],
      secret_payload: { cookies: [{ name: 'sid', value: COOKIE, domain: 'example.com' }] },
    });
    expect(cookies.status).toBe(201);
    ids.cookies = cookies.body.id;

    for (const res of [
      login,
      key,
      totp,
      cookies,
      await api().get('/api/v1/credential-bindings', demo),
      await api().get(`/api/v1/credential-bindings/${ids.login}`, demo),
    ])
      for (const secret of SECRETS) expect(res.text).not.toContain(secret);
    const list = await api().get('/api/v1/credential-bindings', demo);
    expect(list.body.credential_bindings.map((b: { name: string }) => b.name)).toEqual([
      'session-cookie',
      'otp',
      'api-key',
      'site-login',
    ]);
    // The same name again is a conflict, not a second binding.
    expect(
      (await create({ name: 'api-key', kind: 'secret', secret_payload: { value: 'x' } })).body.code,
    ).toBe('credential_binding_exists');
  });

  it('refuses what it cannot use: bad origins, wrong shapes, external providers', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { name: 'a', kind: 'password', secret_payload: { username: 'a', password: 'b' } },
        'validation_failed',
        /allowed_origins needs at least one origin/,
      ],
      [
        {
          name: 'a',
          kind: 'password',
          allowed_origins: ['https://x.test/login'],
          secret_payload: { username: 'a', password: 'b' },
        },
        'validation_failed',
        /origin only/,
      ],
      [
        {
          name: 'a',
          kind: 'password',
          allowed_origins: ['javascript:alert(1)'],
          secret_payload: { username: 'a', password: 'b' },
        },
        'validation_failed',
        /http or https/,
      ],
      [
        { name: 'a', kind: 'password', allowed_origins: ['https://x.test'], secret_payload: {} },
        'validation_failed',
        /body\.secret_payload\.username is required/,
      ],
      [{ name: 'a', kind: 'secret' }, 'validation_failed', /secret_payload is required/],
      [
        { name: 'a', secret_payload: { value: 'x' } },
        'validation_failed',
        /kind or injection_mode/,
      ],
      [
        { name: 'a', kind: 'secret', injection_mode: 'form_fill', secret_payload: { value: 'x' } },
        'validation_failed',
        /does not fit/,
      ],
      [
        {
          name: 'a',
          kind: 'totp',
          allowed_origins: ['https://x.test'],
          secret_payload: { seed: 'not base32 at all 0189!' },
        },
        'validation_failed',
        /base32/,
      ],
      [
        {
          name: 'a',
          kind: 'cookies',
          allowed_origins: ['https://app.example.com'],
          secret_payload: { cookies: [{ name: 'sid', value: 'v', domain: 'evil.test' }] },
        },
        'validation_failed',
        /matches none of allowed_origins/,
      ],
      [
        { name: 'a', provider: 'vault_kv_v2', injection_mode: 'read', external_ref: 'kv/x' },
        'credential_provider_unsupported',
        /external_ref names an existing secret/,
      ],
    ];
    for (const [body, code, message] of cases) {
      const res = await create(body);
      expect(res.body.code, JSON.stringify(body)).toBe(code);
      expect(res.body.error).toMatch(message);
    }
  });

  it("keeps another owner's bindings out of sight (404) and anonymous callers out (401)", async () => {
    expect((await api().get(`/api/v1/credential-bindings/${ids.login}`, demo2)).body.code).toBe(
      'credential_binding_not_found',
    );
    expect((await api().delete(`/api/v1/credential-bindings/${ids.login}`, demo2)).status).toBe(
      404,
    );
    expect(
      (await api().get('/api/v1/credential-bindings', demo2)).body.credential_bindings,
    ).toEqual([]);
    expect((await api().get('/api/v1/credential-bindings', null)).status).toBe(401);
    expect((await api().get(`/api/v1/credential-bindings/${ids.login}`, null)).status).toBe(401);
    expect(
      (await create({ name: 'x', kind: 'secret', secret_payload: { value: 'y' } }, '')).status,
    ).toBe(401);
    // Nor can a run of theirs be granted it.
    const wf = (await api().post('/api/v1/workflows', demo2, { name: 'theirs' })).body.id;
    await api().post(`/api/v1/workflows/${wf}/versions`, demo2, {
      version: 'v1',
      executor: 'playwright',
      entrypoint: 'm.mjs',
      source: { kind: 'inline', files: { 'm.mjs': 'export default async () => 1;\n' } },
    });
    const theirs = await api().post('/api/v1/workflow-runs', demo2, {
      workflow_id: wf,
      version: 'v1',
      credential_binding_ids: [ids.login],
    });
    expect(theirs.body.code).toBe('credential_binding_not_found');
  });

  it('holds no secret in the clear anywhere in the database', async () => {
    const text = await dump();
    expect(text).toContain('site-login');
    for (const secret of SECRETS) expect(text.includes(secret), secret).toBe(false);
    // Nor the base64 of one (a ciphertext that is only encoded would show up so).
    for (const secret of SECRETS)
      expect(text.includes(Buffer.from(secret).toString('base64').slice(0, 16))).toBe(false);
    const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] =
        await sql`select ciphertext, wrapped_key, kek_id from credential_bindings where id = ${ids.login}`;
      expect(row?.ciphertext).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      expect(row?.wrapped_key).toMatch(new RegExp(`^v1\\.${row?.kek_id}\\.`));
    } finally {
      await sql.end();
    }
  });

  it('grants bindings to a run and shows them on it, without secrets', async () => {
    const created = await newRun([ids.login as string, ids.key as string]);
    expect(created.status).toBe(201);
    expect(created.body.credential_bindings).toEqual([
      expect.objectContaining({
        id: ids.login,
        name: 'site-login',
        kind: 'password',
        injection_mode: 'form_fill',
        allowed_origins: ['https://login.example.com'],
        resolve_path: `/api/v1/workflow-runs/${created.body.id}/credential-bindings/${ids.login}/resolve`,
      }),
      expect.objectContaining({ id: ids.key, name: 'api-key' }),
    ]);
    ids.run = created.body.id;
    // A version with an allow-list lets through only what it lists.
    await api().post(`/api/v1/workflows/${workflowId}/versions`, demo, {
      version: 'v2',
      executor: 'playwright',
      entrypoint: 'main.mjs',
      source: { kind: 'inline', files: { 'main.mjs': 'export default async () => 2;\n' } },
      allowed_credential_binding_ids: [ids.key],
    });
    const refused = await api().post('/api/v1/workflow-runs', demo, {
      workflow_id: workflowId,
      version: 'v2',
      credential_binding_ids: [ids.login],
    });
    expect(refused.body.code).toBe('credential_binding_not_allowed');
    expect(refused.status).toBe(403);
  });

  it('resolves a granted secret only for the worker holding the run', async () => {
    const runId = ids.run as string;
    const login = ids.login as string;
    const claim = await api().post(`/api/v1/workflow-runs/${runId}/claim`, worker, {
      worker_id: 'worker-a',
    });
    expect(claim.status).toBe(200);
    const attempt = claim.body.attempt as number;
    leases.set(runId, claim.body.lease_token as string);
    const mine = { attempt, worker_id: 'worker-a' };
    // Another run the same worker holds, granted the same bindings: its lease is not this run's.
    const other = await newRun([login, ids.key as string]);
    const otherLease = (
      await api().post(`/api/v1/workflow-runs/${other.body.id}/claim`, worker, {
        worker_id: 'worker-a',
      })
    ).body.lease_token as string;

    const ok = await resolve(runId, login, mine);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(ok.body).toMatchObject({
      binding: { id: login, name: 'site-login', kind: 'password' },
      payload: { username: 'ada', password: PASSWORD },
    });
    expect((await resolve(runId, ids.key as string, mine)).body.payload).toEqual({
      value: API_KEY,
    });

    // Everyone else is refused: anonymous, the owner, another worker, an old attempt, a binding
    // the run was not granted, an unknown run.
    expect((await resolve(runId, login, mine, '')).status).toBe(401);
    const owner = await resolve(runId, login, mine, demo);
    expect([owner.status, owner.body.code]).toEqual([403, 'workflow_worker_required']);
    expect((await resolve(runId, login, { attempt, worker_id: 'worker-b' })).body.code).toBe(
      'stale_attempt',
    );
    expect(
      (await resolve(runId, login, { attempt: attempt + 1, worker_id: 'worker-a' })).body.code,
    ).toBe('stale_attempt');
    // The right worker id and attempt are not enough: without this run's lease (none, another
    // run's, a made-up one), nothing.
    const unleased = [
      await resolve(runId, login, mine, worker, ''),
      await resolve(runId, login, mine, worker, otherLease),
      await resolve(runId, login, mine, worker, `${leases.get(runId)}x`),
    ];
    expect(unleased.map((r) => [r.status, r.body.code])).toEqual([
      [409, 'stale_attempt'],
      [409, 'stale_attempt'],
      [409, 'stale_attempt'],
    ]);
    expect((await resolve(runId, ids.totp as string, mine)).body.code).toBe(
      'credential_binding_not_found',
    );
    expect((await resolve('01900000-0000-7000-8000-000000000000', login, mine)).body.code).toBe(
      'workflow_run_not_found',
    );
    for (const res of [owner, ...unleased]) expect(res.text).not.toContain(PASSWORD);

    // The resolution is in the run's events, by name only.
    const events = await api().get(`/api/v1/workflow-runs/${runId}/events`, demo);
    const resolved = events.body.events.filter(
      (e: { event_type: string }) => e.event_type === 'workflow_run.credential_binding_resolved',
    );
    expect(resolved.map((e: { data: { name: string } }) => e.data.name)).toEqual([
      'site-login',
      'api-key',
    ]);
    expect(events.text).not.toContain(PASSWORD);
  });

  it('refuses a wrong key with a clear 503, opens old rows with the previous key, re-wraps them', async () => {
    const runId = ids.run as string;
    const login = ids.login as string;
    const held = (await api().get(`/api/v1/workflow-runs/${runId}`, demo)).body;
    const mine = { attempt: held.attempt, worker_id: 'worker-a' };
    const newKek = randomBytes(32).toString('base64url');
    kek = newKek;
    // A webhook subscription's signing secret lives in the same key ring.
    const hook = await api().post('/api/v1/workflow-event-subscriptions', demo, {
      name: 'rotation',
      target_url: PUBLIC_TARGET,
      event_types: ['workflow_run.*'],
    });
    expect(hook.status, hook.text).toBe(201);

    // Rotated without keeping the old key: a typed 503 that says what to do, no internals.
    await stack.restartEdge({ CREDENTIALS_KEK: newKek });
    const wrong = await resolve(runId, login, mine);
    expect([wrong.status, wrong.body.code]).toEqual([503, 'credential_key_mismatch']);
    expect(wrong.body.error).toMatch(/CREDENTIALS_KEK_PREVIOUS/);
    expect(wrong.body.details.key_id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(wrong.text).not.toMatch(/OperationError|stack|at .*\.ts/);
    // New bindings are sealed with the new key meanwhile.
    const fresh = await create({
      name: 'after-rotation',
      kind: 'secret',
      secret_payload: { value: API_KEY },
    });
    expect(fresh.status).toBe(201);

    // The documented rotation: the new key current, the old one previous.
    await stack.restartEdge({ CREDENTIALS_KEK: newKek, CREDENTIALS_KEK_PREVIOUS: oldKek });
    expect((await resolve(runId, login, mine)).body.payload.password).toBe(PASSWORD);
    const operator = stack.edge.secrets.operatorToken;
    expect((await api().post('/api/v1/maintenance/rewrap-credentials', demo)).status).toBe(401);
    const rewrap = await api().post('/api/v1/maintenance/rewrap-credentials', operator);
    expect(rewrap.status).toBe(200);
    expect(rewrap.body.credential_bindings).toEqual({ rewrapped: 4, current: 1, failed: [] });
    const again = await api().post('/api/v1/maintenance/rewrap-credentials', operator);
    expect(again.body.credential_bindings).toEqual({ rewrapped: 0, current: 5, failed: [] });
    expect([rewrap.body.webhook_subscriptions, again.body.webhook_subscriptions]).toEqual([
      { rewrapped: 1, current: 0, failed: [] },
      { rewrapped: 0, current: 1, failed: [] },
    ]);

    // The old key can go now.
    await stack.restartEdge({ CREDENTIALS_KEK: newKek });
    expect((await resolve(runId, login, mine)).body.payload.password).toBe(PASSWORD);
    const text = await dump();
    for (const secret of SECRETS) expect(text.includes(secret)).toBe(false);

    // No key at all: the same clear 503 on creation.
    await stack.restartEdge({ CREDENTIALS_KEK: '' });
    const none = await create({ name: 'no-key', kind: 'secret', secret_payload: { value: 'v' } });
    expect([none.status, none.body.code]).toEqual([503, 'credential_key_unavailable']);
    await stack.restartEdge({ CREDENTIALS_KEK: newKek });
  });

  it('refuses resolution once the run is no longer running, and deletes bindings', async () => {
    const runId = ids.run as string;
    const held = (await api().get(`/api/v1/workflow-runs/${runId}`, demo)).body;
    const mine = { attempt: held.attempt, worker_id: 'worker-a' };
    const running = await api().post(`/api/v1/workflow-runs/${runId}/state`, worker, {
      state: 'running',
      attempt: held.attempt,
    });
    expect(running.status).toBe(200);
    expect((await resolve(runId, ids.key as string, mine)).status).toBe(200);
    const done = await api().post(`/api/v1/workflow-runs/${runId}/state`, worker, {
      state: 'succeeded',
      attempt: held.attempt,
      output: { ok: true },
    });
    expect(done.status).toBe(200);
    expect((await resolve(runId, ids.login as string, mine)).body.code).toBe('run_state_conflict');

    const deleted = await api().delete(`/api/v1/credential-bindings/${ids.login}`, demo);
    expect(deleted.status).toBe(200);
    expect(deleted.text).not.toContain(PASSWORD);
    expect((await api().get(`/api/v1/credential-bindings/${ids.login}`, demo)).status).toBe(404);
    expect((await api().delete(`/api/v1/credential-bindings/${ids.login}`, demo)).status).toBe(404);
  });

  it('grants nothing to a run on a session that has ended: a clear 409, no run', async () => {
    const session = (await api().post('/api/v1/sessions', demo, {})).body.id;
    const stop = await api().post(`/api/v1/sessions/${session}/stop`, demo);
    expect(stop.status).toBe(200);
    const ended = stop.body.state as string;
    expect(['stopping', 'stopped']).toContain(ended);
    const before = (await api().get('/api/v1/workflow-runs', demo)).body.runs.length;
    const binding = await create({
      name: 'for-an-ended-session',
      kind: 'secret',
      secret_payload: { value: API_KEY },
    });
    const refused = await api().post('/api/v1/workflow-runs', demo, {
      workflow_id: workflowId,
      version: 'v1',
      session: { existing_session_id: session },
      credential_binding_ids: [binding.body.id],
    });
    expect([refused.status, refused.body.code]).toEqual([409, 'session_stopped']);
    expect(refused.body.error).toContain(`has ended (${ended}); a run needs a live session`);
    expect(refused.body.details).toEqual({ session_id: session, session_state: ended });
    expect((await api().get('/api/v1/workflow-runs', demo)).body.runs.length).toBe(before);
  });

  vaultCases({
    stack: () => stack,
    demo: () => demo,
    demo2: () => demo2,
    worker: () => worker,
    workflowId: () => workflowId,
    kek: () => kek,
    localBindingId: () => ids.key as string,
    dump,
    edgeLogs,
  });
});
