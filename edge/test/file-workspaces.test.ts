import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser, serviceToken } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

/** Sends only the headers of a request (a huge declared body is answered before it is sent). */
function declaredOnly(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; code?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, code: JSON.parse(text || '{}').code });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * File workspaces and session file bindings against the edge under workerd on PGlite: owner-scoped
 * workspaces and files (upload with a computed SHA-256 and a size limit, ranges, delete), bindings
 * that snapshot a file onto a session at a safe mount path, reach the session's host in its
 * desired state, and answer 410 once the file is gone.
 */
describe('file workspaces and session file bindings (pglite)', () => {
  let stack: Stack;
  let demo: string;
  let demo2: string;
  let host: HostDriver;
  let other: HostDriver;
  let sessionId: string;
  let workspaceId: string;
  const api = () => stack.api;
  const upload = (
    workspace: string,
    content: string | Uint8Array,
    headers: Record<string, string> = {},
    token = demo,
  ) =>
    api().request('POST', `/api/v1/file-workspaces/${workspace}/files`, {
      token,
      raw: content,
      headers: {
        'content-type': 'text/plain',
        'x-bpane-file-name': encodeURIComponent('Rechnung März.txt'),
        ...headers,
      },
    });

  beforeAll(async () => {
    stack = await startStack('pglite');
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
    host = new HostDriver(stack.api, 'workspaces-host');
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
    other = new HostDriver(stack.api, 'workspaces-other');
    await other.enroll(stack.edge.secrets.hostEnrollmentToken);
    sessionId = (await api().post('/api/v1/sessions', demo, {})).body.id;
    host.run(sessionId);
    await host.beat();
  });
  afterAll(() => stack?.stop());

  it('creates, lists and reads workspaces for their owner only', async () => {
    const created = await api().post('/api/v1/file-workspaces', demo, {
      name: 'invoices',
      description: 'monthly',
      labels: { team: 'billing' },
    });
    expect(created.status, created.text).toBe(201);
    workspaceId = created.body.id;
    expect(created.body).toMatchObject({
      name: 'invoices',
      description: 'monthly',
      project_id: null,
      labels: { team: 'billing' },
      files_path: `/api/v1/file-workspaces/${workspaceId}/files`,
    });
    expect(created.headers.get('location')).toBe(`/api/v1/file-workspaces/${workspaceId}`);
    const list = await api().get('/api/v1/file-workspaces', demo);
    expect(list.body.workspaces.map((w: { id: string }) => w.id)).toContain(workspaceId);
    expect((await api().get('/api/v1/file-workspaces', demo2)).body.workspaces).toEqual([]);
    const foreign = await api().get(`/api/v1/file-workspaces/${workspaceId}`, demo2);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'file_workspace_not_found']);
    const anonymous = await api().get(`/api/v1/file-workspaces/${workspaceId}`, null);
    expect(anonymous.status).toBe(401);
    expect((await api().post('/api/v1/file-workspaces', null, { name: 'x' })).status).toBe(401);
  });

  it('stores an upload with its SHA-256, serves it whole and in ranges, and deletes it', async () => {
    const text = 'abcdefghijklmnopqrstuvwxyz';
    const provenance = encodeURIComponent(JSON.stringify({ source: 'test' }));
    const up = await upload(workspaceId, text, { 'x-bpane-file-provenance': provenance });
    expect(up.status, up.text).toBe(201);
    expect(up.body).toMatchObject({
      workspace_id: workspaceId,
      name: 'Rechnung März.txt',
      media_type: 'text/plain',
      byte_count: 26,
      sha256_hex: sha256(text),
      provenance: { source: 'test' },
      run_id: null,
    });
    const fileId = up.body.id as string;
    const list = await api().get(`/api/v1/file-workspaces/${workspaceId}/files`, demo);
    expect(list.body.files.map((f: { id: string }) => f.id)).toEqual([fileId]);
    const url = `${stack.edge.url}${up.body.content_path}`;
    const get = (headers: Record<string, string> = {}, token = demo) =>
      fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
    const whole = await get();
    expect([whole.status, await whole.text()]).toEqual([200, text]);
    expect(whole.headers.get('etag')).toBe(`"${sha256(text)}"`);
    const part = await get({ range: 'bytes=3-6' });
    expect([part.status, part.headers.get('content-range'), await part.text()]).toEqual([
      206,
      'bytes 3-6/26',
      'defg',
    ]);
    const past = await get({ range: 'bytes=100-' });
    expect([past.status, ((await past.json()) as { code: string }).code]).toEqual([
      416,
      'range_not_satisfiable',
    ]);
    expect((await get({}, demo2)).status).toBe(404);
    expect((await api().get(up.body.content_path, demo)).status).toBe(200);
    const gone = await api().delete(`/api/v1/file-workspaces/${workspaceId}/files/${fileId}`, demo);
    expect([gone.status, gone.body.id]).toEqual([200, fileId]);
    const after = await api().get(`/api/v1/file-workspaces/${workspaceId}/files/${fileId}`, demo);
    expect([after.status, after.body.code]).toEqual([404, 'workspace_file_not_found']);
  });

  it('refuses uploads that are too large, mislabelled or not the owner’s', async () => {
    const big = await declaredOnly(
      `${stack.edge.url}/api/v1/file-workspaces/${workspaceId}/files`,
      {
        authorization: `Bearer ${demo}`,
        'content-length': String(600 * 1024 * 1024),
        'x-bpane-file-name': 'big.bin',
      },
    );
    expect([big.status, big.code]).toEqual([413, 'payload_too_large']);
    const wrong = await upload(workspaceId, 'hello', { 'x-bpane-file-sha256': sha256('other') });
    expect([wrong.status, wrong.body.code]).toEqual([400, 'validation_failed']);
    const files = await api().get(`/api/v1/file-workspaces/${workspaceId}/files`, demo);
    expect(
      files.body.files.filter((f: { name: string }) => f.name === 'Rechnung März.txt').length,
    ).toBeLessThanOrEqual(1);
    const foreign = await upload(workspaceId, 'hello', {}, demo2);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'file_workspace_not_found']);
    const noName = await upload(workspaceId, 'hello', { 'x-bpane-file-name': '..' });
    expect([noName.status, noName.body.code]).toEqual([400, 'validation_failed']);
  });

  it('binds a workspace file to a session, tells the host, and takes its report', async () => {
    const content = 'bound file bytes';
    const file = (await upload(workspaceId, content, { 'content-type': 'text/csv' })).body;
    const path = `/api/v1/sessions/${sessionId}/file-bindings`;
    const created = await api().post(path, demo, {
      workspace_id: workspaceId,
      file_id: file.id,
      mount_path: 'inputs/data.csv',
      labels: { purpose: 'test' },
    });
    expect(created.status, created.text).toBe(201);
    const binding = created.body;
    expect(binding).toMatchObject({
      session_id: sessionId,
      workspace_id: workspaceId,
      file_id: file.id,
      file_name: 'Rechnung März.txt',
      media_type: 'text/csv',
      byte_count: content.length,
      sha256_hex: sha256(content),
      mount_path: 'inputs/data.csv',
      mode: 'read_only',
      state: 'pending',
      error: null,
      content_path: `${path}/${binding.id}/content`,
    });
    const dup = await api().post(path, demo, {
      workspace_id: workspaceId,
      file_id: file.id,
      mount_path: 'inputs/data.csv',
    });
    expect([dup.status, dup.body.code]).toEqual([409, 'file_binding_conflict']);
    for (const mount of ['../etc/passwd', '/etc/passwd', 'a/../b', 'a//b', './a']) {
      const bad = await api().post(
        path,
        demo,
        {
          workspace_id: workspaceId,
          file_id: file.id,
          mount_path: mount,
        },
        { unchecked: true },
      );
      expect([mount, bad.status, bad.body.code]).toEqual([mount, 400, 'validation_failed']);
    }
    // another owner: the session, and this owner's workspace from their own session, are 404
    expect((await api().get(path, demo2)).status).toBe(404);
    const theirSession = (await api().post('/api/v1/sessions', demo2, {})).body.id;
    const stolen = await api().post(`/api/v1/sessions/${theirSession}/file-bindings`, demo2, {
      workspace_id: workspaceId,
      file_id: file.id,
      mount_path: 'x.csv',
    });
    expect([stolen.status, stolen.body.code]).toEqual([404, 'file_workspace_not_found']);
    expect((await api().get(path, null)).status).toBe(401);

    const desired = await host.beat();
    const entry = desired.sessions.find((s) => s.session_id === sessionId) as {
      file_bindings?: { binding_id: string; mount_path: string; sha256_hex: string }[];
    };
    expect(entry.file_bindings).toEqual([
      {
        binding_id: binding.id,
        mount_path: 'inputs/data.csv',
        byte_count: content.length,
        sha256_hex: sha256(content),
        state: 'pending',
      },
    ]);
    const hostPath = `/api/v1/hosts/${host.id}/sessions/${sessionId}/file-bindings/${binding.id}`;
    const bytes = await fetch(`${stack.edge.url}${hostPath}/content`, {
      headers: { authorization: `Bearer ${host.credential}` },
    });
    expect([bytes.status, await bytes.text()]).toEqual([200, content]);
    const otherHost = await fetch(
      `${stack.edge.url}/api/v1/hosts/${other.id}/sessions/${sessionId}/file-bindings/${binding.id}/content`,
      { headers: { authorization: `Bearer ${other.credential}` } },
    );
    expect(otherHost.status).toBe(404);
    const wrongCredential = await fetch(`${stack.edge.url}${hostPath}/content`, {
      headers: { authorization: `Bearer ${other.credential}` },
    });
    expect(wrongCredential.status).toBe(401);
    const report = await api().request('PUT', `${hostPath}/state`, {
      token: host.credential,
      body: { state: 'materialized' },
    });
    expect([report.status, report.body.state]).toEqual([200, 'materialized']);
    const read = await api().get(`${path}/${binding.id}`, demo);
    expect(read.body.state).toBe('materialized');
    const content2 = await fetch(`${stack.edge.url}${binding.content_path}`, {
      headers: { authorization: `Bearer ${demo}` },
    });
    expect(await content2.text()).toBe(content);
    expect((await api().get(`${path}/${binding.id}`, demo2)).status).toBe(404);

    const removed = await api().delete(`${path}/${binding.id}`, demo);
    expect([removed.status, removed.body.state]).toEqual([200, 'removed']);
    const again = await host.beat();
    expect(again.sessions.find((s) => s.session_id === sessionId)).toMatchObject({
      file_bindings: [],
    });
    // the mount path is free again once the binding is removed
    const rebound = await api().post(path, demo, {
      workspace_id: workspaceId,
      file_id: file.id,
      mount_path: 'inputs/data.csv',
    });
    expect(rebound.status).toBe(201);
    // the workspace file goes: the binding keeps its metadata, its content is 410
    await api().delete(`/api/v1/file-workspaces/${workspaceId}/files/${file.id}`, demo);
    const goneContent = await api().get(rebound.body.content_path, demo);
    expect([goneContent.status, goneContent.body.code]).toEqual([410, 'workspace_file_gone']);
    expect((await api().get(`${path}/${rebound.body.id}`, demo)).body.file_id).toBe(file.id);
  });

  it('refuses bindings on an ended session and deletes a workspace with its files', async () => {
    const ws = (await api().post('/api/v1/file-workspaces', demo, { name: 'temp' })).body;
    const file = (await upload(ws.id, 'temp')).body;
    const ended = (await api().post('/api/v1/sessions', demo, {})).body.id;
    await api().post(`/api/v1/sessions/${ended}/kill`, demo);
    const refused = await api().post(`/api/v1/sessions/${ended}/file-bindings`, demo, {
      workspace_id: ws.id,
      file_id: file.id,
      mount_path: 'a.txt',
    });
    expect([refused.status, refused.body.code]).toEqual([409, 'session_stopped']);
    expect((await api().delete(`/api/v1/file-workspaces/${ws.id}`, demo2)).status).toBe(404);
    const gone = await api().delete(`/api/v1/file-workspaces/${ws.id}`, demo);
    expect([gone.status, gone.body.id]).toEqual([200, ws.id]);
    expect((await api().get(`/api/v1/file-workspaces/${ws.id}`, demo)).status).toBe(404);
  });

  it('puts the files a run produces into the workspace the run names', async () => {
    const ws = (await api().post('/api/v1/file-workspaces', demo, { name: 'outputs' })).body;
    const wf = (await api().post('/api/v1/workflows', demo, { name: 'writes files' })).body.id;
    await api().post(`/api/v1/workflows/${wf}/versions`, demo, {
      version: 'v1',
      executor: 'playwright',
      entrypoint: 'main.mjs',
      source: { kind: 'inline', files: { 'main.mjs': 'export default async () => 1;' } },
    });
    const session = (await api().post('/api/v1/sessions', demo, {})).body.id;
    const foreign = await api().post('/api/v1/workflow-runs', demo2, {
      workflow_id: wf,
      version: 'v1',
      output_workspace_id: ws.id,
    });
    expect(foreign.status).toBe(404);
    const run = await api().post('/api/v1/workflow-runs', demo, {
      workflow_id: wf,
      version: 'v1',
      session: { existing_session_id: session },
      output_workspace_id: ws.id,
    });
    expect(run.status, run.text).toBe(201);
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff);
    const produced = await api().request(
      'POST',
      `/api/v1/workflow-runs/${run.body.id}/produced-files`,
      {
        token: demo,
        raw: bytes,
        headers: { 'content-type': 'application/octet-stream', 'x-bpane-file-name': 'report.bin' },
      },
    );
    expect(produced.status, produced.text).toBe(201);
    expect(produced.body.workspace_id).toBe(ws.id);
    const files = (await api().get(`/api/v1/file-workspaces/${ws.id}/files`, demo)).body.files;
    expect(files).toMatchObject([
      { id: produced.body.file_id, name: 'report.bin', byte_count: 70_000, run_id: run.body.id },
    ]);
    const res = await fetch(`${stack.edge.url}${files[0].content_path}`, {
      headers: { authorization: `Bearer ${demo}` },
    });
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(bytes));
    // The run's produced file outlives the workspace copy of it (they share their bytes).
    const producedContent = async () => {
      const r = await fetch(
        `${stack.edge.url}/api/v1/workflow-runs/${run.body.id}/produced-files/${produced.body.file_id}/content`,
        { headers: { authorization: `Bearer ${demo}` } },
      );
      return { status: r.status, sha: sha256(new Uint8Array(await r.arrayBuffer())) };
    };
    expect(await producedContent()).toEqual({ status: 200, sha: sha256(bytes) });
    const removed = await api().delete(
      `/api/v1/file-workspaces/${ws.id}/files/${produced.body.file_id}`,
      demo,
    );
    expect(removed.status).toBe(200);
    expect(await producedContent()).toEqual({ status: 200, sha: sha256(bytes) });
    expect((await api().delete(`/api/v1/file-workspaces/${ws.id}`, demo)).status).toBe(200);
    expect(await producedContent()).toEqual({ status: 200, sha: sha256(bytes) });
    await api().post(`/api/v1/workflow-runs/${run.body.id}/cancel`, demo);
  });

  it("mounts workspace files into a run's session as file bindings, the caller's only", async () => {
    const ws = (await api().post('/api/v1/file-workspaces', demo, { name: 'run inputs' })).body;
    const file = (await upload(ws.id, 'input bytes', { 'x-bpane-file-name': 'in.txt' })).body;
    const wf = (await api().post('/api/v1/workflows', demo, { name: 'reads files' })).body.id;
    await api().post(`/api/v1/workflows/${wf}/versions`, demo, {
      version: 'v1',
      executor: 'playwright',
      entrypoint: 'main.mjs',
      source: { kind: 'inline', files: { 'main.mjs': 'export default async () => 1;' } },
    });
    const start = (token: string, inputs: unknown[], session?: string) =>
      api().post('/api/v1/workflow-runs', token, {
        workflow_id: wf,
        version: 'v1',
        workspace_inputs: inputs,
        ...(session ? { session: { existing_session_id: session } } : {}),
      });
    const input = (extra = {}) => ({ workspace_id: ws.id, file_id: file.id, ...extra });
    const foreign = await start(demo2, [input()]);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'workflow_not_found']);
    const twice = await start(demo, [input(), input({ mount_path: 'in.txt' })]);
    expect([twice.status, twice.body.code]).toEqual([400, 'validation_failed']);
    const session = (await api().post('/api/v1/sessions', demo, {})).body.id;
    const run = await start(demo, [input(), input({ mount_path: 'inputs/copy.txt' })], session);
    expect(run.status, run.text).toBe(201);
    expect(run.body.workspace_inputs).toMatchObject([
      { file_name: 'in.txt', mount_path: 'in.txt', byte_count: 11, state: 'pending' },
      { file_id: file.id, mount_path: 'inputs/copy.txt', sha256_hex: sha256('input bytes') },
    ]);
    const bindings = (await api().get(`/api/v1/sessions/${session}/file-bindings`, demo)).body;
    expect(bindings.bindings.map((b: { id: string }) => b.id).sort()).toEqual(
      run.body.workspace_inputs.map((w: { id: string }) => w.id).sort(),
    );
    const content = await fetch(`${stack.edge.url}${run.body.workspace_inputs[1].content_path}`, {
      headers: { authorization: `Bearer ${demo}` },
    });
    expect(await content.text()).toBe('input bytes');
    // the session's mount paths are taken now; a second run on it is refused
    const again = await start(demo, [input()], session);
    expect([again.status, again.body.code]).toEqual([409, 'file_binding_conflict']);
    await api().post(`/api/v1/workflow-runs/${run.body.id}/cancel`, demo);
    // another owner's workspace, however it is named, is not found
    const theirs = (await api().post('/api/v1/file-workspaces', demo2, { name: 'theirs' })).body;
    const theirFile = (await upload(theirs.id, 'x', {}, demo2)).body;
    const stolen = await start(demo, [{ workspace_id: theirs.id, file_id: theirFile.id }]);
    expect([stolen.status, stolen.body.code]).toEqual([404, 'file_workspace_not_found']);
  });

  it("lets a workflow worker read a run's workspace inputs only with that run's lease", async () => {
    const worker = await serviceToken(
      stack.edge.url,
      'workflow-worker',
      stack.edge.secrets.serviceClients['workflow-worker'] as string,
    );
    const ws = (await api().post('/api/v1/file-workspaces', demo, { name: 'worker reads' })).body;
    const mine = (await upload(ws.id, 'run one reads this', { 'x-bpane-file-name': 'a.txt' })).body;
    const theirs = (await upload(ws.id, 'run two reads this', { 'x-bpane-file-name': 'b.txt' }))
      .body;
    const wf = (await api().post('/api/v1/workflows', demo, { name: 'worker reads' })).body.id;
    await api().post(`/api/v1/workflows/${wf}/versions`, demo, {
      version: 'v1',
      executor: 'playwright',
      entrypoint: 'main.mjs',
      source: { kind: 'inline', files: { 'main.mjs': 'export default async () => 1;' } },
    });
    const runWith = async (fileId: string) => {
      const session = (await api().post('/api/v1/sessions', demo, {})).body.id;
      const run = await api().post('/api/v1/workflow-runs', demo, {
        workflow_id: wf,
        version: 'v1',
        session: { existing_session_id: session },
        workspace_inputs: [{ workspace_id: ws.id, file_id: fileId, mount_path: 'in.txt' }],
      });
      expect(run.status, run.text).toBe(201);
      const claim = await api().post(`/api/v1/workflow-runs/${run.body.id}/claim`, worker, {
        worker_id: 'reader',
      });
      expect(claim.status, claim.text).toBe(200);
      return {
        run: run.body,
        session,
        lease: claim.body.lease_token as string,
        attempt: claim.body.attempt as number,
      };
    };
    const one = await runWith(mine.id);
    const two = await runWith(theirs.id);
    const read = (path: string, lease: string | null, token: string | null = worker) =>
      fetch(`${stack.edge.url}${path}`, {
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(lease ? { 'x-bpane-run-lease': lease } : {}),
        },
      });
    const path = one.run.workspace_inputs[0].content_path as string;
    const ok = await read(path, one.lease);
    expect([ok.status, await ok.text()]).toEqual([200, 'run one reads this']);
    // Without a lease, with another run's, anonymously, as another user: nothing.
    const refused = [
      await read(path, null),
      await read(path, two.lease),
      await read(path, `${one.lease}x`),
      await read(path, one.lease, null),
      await read(path, one.lease, demo2),
    ];
    expect(refused.map((r) => r.status)).toEqual([404, 404, 404, 401, 404]);
    // Run one's lease on run two's session and input: nothing either.
    expect((await read(two.run.workspace_inputs[0].content_path, one.lease)).status).toBe(404);
    // A binding on run one's session that is not one of its inputs is not its to read.
    const extra = await api().post(`/api/v1/sessions/${one.session}/file-bindings`, demo, {
      workspace_id: ws.id,
      file_id: theirs.id,
      mount_path: 'extra.txt',
    });
    expect(extra.status, extra.text).toBe(201);
    const notInput = await read(
      `/api/v1/sessions/${one.session}/file-bindings/${extra.body.id}/content`,
      one.lease,
    );
    expect([notInput.status, ((await notInput.json()) as { code: string }).code]).toEqual([
      404,
      'file_binding_not_found',
    ]);
    // Once the run is over, its lease reads nothing.
    for (const state of ['running', 'succeeded'])
      expect(
        (
          await api().post(`/api/v1/workflow-runs/${one.run.id}/state`, worker, {
            state,
            attempt: one.attempt,
          })
        ).status,
      ).toBe(200);
    expect((await read(path, one.lease)).status).toBe(404);
    await api().post(`/api/v1/workflow-runs/${two.run.id}/cancel`, demo);
  });
});
