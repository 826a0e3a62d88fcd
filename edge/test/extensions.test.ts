import { createHash } from 'node:crypto';
import { inspectExtensionArchive } from '@browserpane/api/extension-archive';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badArchives, paintArchive } from './support/extension-archives.ts';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

const ZIP = { 'content-type': 'application/zip' };

/**
 * Approved extensions against the edge under workerd on PGlite: upload (checked, stored in the
 * artifact store), owner scoping, approval, refusal, sessions naming them (and the refusals), the
 * host's desired state and download of the archive, delete.
 */
describe('extensions (pglite)', () => {
  let stack: Stack;
  let demo: string;
  let demo2: string;
  let archive: Uint8Array;
  const api = () => stack.api;
  const upload = (bytes: Uint8Array, token: string | null = demo, headers = ZIP) =>
    api().request('POST', '/api/v1/extensions', { token, raw: bytes, headers });

  beforeAll(async () => {
    stack = await startStack('pglite');
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
    archive = await paintArchive();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('uploads a checked archive pending approval, scoped to its owner', async () => {
    const res = await upload(archive);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Paint the page',
      version: '1.0.0',
      latest_version: '1.0.0',
      manifest_version: 3,
      state: 'pending_approval',
      enabled: false,
      size: archive.length,
      sha256: createHash('sha256').update(archive).digest('hex'),
      files: 2,
      approved_at: null,
    });
    expect(res.headers.get('location')).toBe(`/api/v1/extensions/${res.body.id}`);
    const id = res.body.id as string;
    expect((await api().get(`/api/v1/extensions/${id}`, demo)).body.id).toBe(id);
    const list = await api().get('/api/v1/extensions', demo);
    expect(list.body.extensions.map((e: { id: string }) => e.id)).toContain(id);
    // another owner sees nothing, and cannot act on it
    expect((await api().get('/api/v1/extensions', demo2)).body.extensions).toEqual([]);
    for (const [method, path] of [
      ['GET', `/api/v1/extensions/${id}`],
      ['POST', `/api/v1/extensions/${id}/approve`],
      ['POST', `/api/v1/extensions/${id}/refuse`],
      ['DELETE', `/api/v1/extensions/${id}`],
    ] as const) {
      const other = await api().request(method, path, { token: demo2 });
      expect(other.status, `${method} ${path} as another owner`).toBe(404);
      expect(other.body.code).toBe('extension_not_found');
      const anonymous = await api().request(method, path, {});
      expect(anonymous.status, `${method} ${path} anonymously`).toBe(401);
    }
    expect((await api().get('/api/v1/extensions', null)).status).toBe(401);
    expect((await upload(archive, null)).status).toBe(401);
    expect((await api().get(`/api/v1/extensions/${id}`, demo)).body.state).toBe('pending_approval');
  });

  it('refuses malformed archives and manifests with a clear code, storing nothing', async () => {
    const before = (await api().get('/api/v1/extensions', demo)).body.extensions.length;
    for (const bad of await badArchives()) {
      const res = await upload(bad.bytes);
      expect(res.status, `${bad.name}: ${res.text}`).toBe(422);
      expect(res.body.code, bad.name).toBe(bad.code);
    }
    const wrongType = await upload(archive, demo, { 'content-type': 'application/json' });
    expect(wrongType.status).toBe(415);
    expect((await api().get('/api/v1/extensions', demo)).body.extensions).toHaveLength(before);
  });

  it('sessions take only approved extensions of their owner; the host loads them', async () => {
    const pending = (await upload(archive)).body.id as string;
    const refused = (await upload(archive)).body.id as string;
    const foreign = (await upload(archive, demo2)).body.id as string;
    await api().post(`/api/v1/extensions/${foreign}/approve`, demo2);
    const refusal = await api().post(`/api/v1/extensions/${refused}/refuse`, demo);
    expect(refusal.body).toMatchObject({ state: 'refused', enabled: false });
    expect(refusal.body.refused_at).toEqual(expect.any(String));

    const session = (ids: string[]) => api().post('/api/v1/sessions', demo, { extension_ids: ids });
    const notApproved = await session([pending]);
    expect(notApproved.status).toBe(409);
    expect(notApproved.body.code).toBe('extension_not_approved');
    expect((await session([refused])).body.code).toBe('extension_not_approved');
    const other = await session([foreign]);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('extension_not_found');
    expect((await session(['01936b2a-0000-7000-8000-000000000000'])).body.code).toBe(
      'extension_not_found',
    );

    const approved = await api().post(`/api/v1/extensions/${pending}/approve`, demo);
    expect(approved.body).toMatchObject({ state: 'approved', enabled: true });
    const again = await api().post(`/api/v1/extensions/${pending}/approve`, demo);
    expect(again.status).toBe(200);
    const flip = await api().post(`/api/v1/extensions/${refused}/approve`, demo);
    expect(flip.status).toBe(409);
    expect(flip.body.code).toBe('extension_state_conflict');
    expect((await api().post(`/api/v1/extensions/${pending}/refuse`, demo)).body.code).toBe(
      'extension_state_conflict',
    );

    const host = new HostDriver(api(), 'ext-host');
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
    const created = await session([pending]);
    expect(created.status, created.text).toBe(201);
    expect(created.body.extensions).toEqual([
      {
        extension_id: pending,
        extension_version_id: pending,
        name: 'Paint the page',
        version: '1.0.0',
      },
    ]);
    const sessionId = created.body.id as string;
    const desired = await host.beat();
    const mine = desired.sessions.find((s) => s.session_id === sessionId);
    expect(mine?.options.extensions).toEqual([
      {
        extension_id: pending,
        name: 'Paint the page',
        version: '1.0.0',
        size: archive.length,
        sha256: createHash('sha256').update(archive).digest('hex'),
      },
    ]);
    const content = `/api/v1/hosts/${host.id}/sessions/${sessionId}/extensions/${pending}/content`;
    const res = await fetch(`${stack.edge.url}${content}`, {
      headers: { authorization: `Bearer ${host.credential}` },
    });
    expect(res.status).toBe(200);
    const got = new Uint8Array(await res.arrayBuffer());
    expect(createHash('sha256').update(got).digest('hex')).toBe(
      createHash('sha256').update(archive).digest('hex'),
    );
    expect((await inspectExtensionArchive(got)).manifest.name).toBe('Paint the page');
    // not an extension of this session, another host, or no credential: 404 / 401
    const wrong = await api().get(
      `/api/v1/hosts/${host.id}/sessions/${sessionId}/extensions/${refused}/content`,
      host.credential,
    );
    expect(wrong.body.code).toBe('extension_not_found');
    const other2 = new HostDriver(api(), 'ext-host-2');
    await other2.enroll(stack.edge.secrets.hostEnrollmentToken);
    const foreignHost = await api().get(
      `/api/v1/hosts/${other2.id}/sessions/${sessionId}/extensions/${pending}/content`,
      other2.credential,
    );
    expect(foreignHost.status).toBe(404);
    expect((await api().get(content, null)).status).toBe(401);
    expect((await api().get(content, demo)).status).toBe(401);

    // the session resource keeps what it was created with; deleting the extension removes it
    const deleted = await api().delete(`/api/v1/extensions/${pending}`, demo);
    expect(deleted.status).toBe(200);
    expect((await api().get(`/api/v1/extensions/${pending}`, demo)).status).toBe(404);
    expect((await session([pending])).body.code).toBe('extension_not_found');
    expect((await api().get(`/api/v1/sessions/${sessionId}`, demo)).body.extensions).toHaveLength(
      1,
    );
  });

  it("workflow versions allow only approved extensions; a run's new session loads them", async () => {
    const pending = (await upload(archive)).body.id as string;
    const approved = (await upload(archive)).body.id as string;
    const spare = (await upload(archive)).body.id as string;
    await api().post(`/api/v1/extensions/${approved}/approve`, demo);
    await api().post(`/api/v1/extensions/${spare}/approve`, demo);
    const foreign = (await upload(archive, demo2)).body.id as string;
    await api().post(`/api/v1/extensions/${foreign}/approve`, demo2);
    const workflowId = (await api().post('/api/v1/workflows', demo, { name: 'paints' })).body.id;
    const version = (name: string, ids: string[]) =>
      api().post(`/api/v1/workflows/${workflowId}/versions`, demo, {
        version: name,
        executor: 'playwright',
        entrypoint: 'main.mjs',
        source: { kind: 'inline', files: { 'main.mjs': 'export default async () => 1;\n' } },
        allowed_extension_ids: ids,
      });
    const notApproved = await version('v0', [pending]);
    expect(notApproved.status).toBe(409);
    expect(notApproved.body.code).toBe('extension_not_approved');
    const other = await version('v0', [foreign]);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('extension_not_found');
    const v1 = await version('v1', [approved]);
    expect(v1.status, v1.text).toBe(201);
    expect(v1.body.allowed_extension_ids).toEqual([approved]);

    const run = (extra: Record<string, unknown> = {}) =>
      api().post('/api/v1/workflow-runs', demo, {
        workflow_id: workflowId,
        version: 'v1',
        ...extra,
      });
    const outside = await run({ session: { create_session: { extension_ids: [spare] } } });
    expect(outside.status).toBe(403);
    expect(outside.body.code).toBe('extension_not_allowed');
    const started = await run();
    expect(started.status, started.text).toBe(201);
    expect(started.body.extensions).toEqual([
      {
        extension_id: approved,
        extension_version_id: approved,
        name: 'Paint the page',
        version: '1.0.0',
      },
    ]);
    const session = await api().get(`/api/v1/sessions/${started.body.session_id}`, demo);
    expect(session.body.extensions.map((e: { extension_id: string }) => e.extension_id)).toEqual([
      approved,
    ]);
  });
});
