import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { Api } from './api.ts';
import type { HostDriver } from './host-driver.ts';

/**
 * Every file-workspace and file-binding operation once (for the contract walk): a workspace, an
 * upload, its reads, a binding the host fetches and reports, removal and deletion.
 */
export async function workspaceOperations(
  api: Api,
  demo: string,
  sessionId: string,
  host: HostDriver,
): Promise<void> {
  const ws = await api.post('/api/v1/file-workspaces', demo, { name: 'contract' });
  expect(ws.status).toBe(201);
  const w = `/api/v1/file-workspaces/${ws.body.id}`;
  await api.get('/api/v1/file-workspaces', demo);
  await api.get(w, demo);
  const up = await api.request('POST', `${w}/files`, {
    token: demo,
    raw: 'contract file',
    headers: {
      'content-type': 'text/plain',
      'x-bpane-file-name': 'c.txt',
      'x-bpane-file-sha256': createHash('sha256').update('contract file').digest('hex'),
    },
  });
  expect(up.status).toBe(201);
  const f = `${w}/files/${up.body.id}`;
  await api.get(`${w}/files`, demo);
  await api.get(f, demo);
  expect((await api.get(`${f}/content`, demo, { headers: { range: 'bytes=0-3' } })).status).toBe(
    206,
  );
  const b = `/api/v1/sessions/${sessionId}/file-bindings`;
  const bound = await api.post(b, demo, {
    workspace_id: ws.body.id,
    file_id: up.body.id,
    mount_path: 'contract/c.txt',
    mode: 'read_only',
  });
  expect(bound.status).toBe(201);
  await api.get(b, demo);
  await api.get(`${b}/${bound.body.id}`, demo);
  await api.get(`${b}/${bound.body.id}/content`, demo);
  const hb = `/api/v1/hosts/${host.id}/sessions/${sessionId}/file-bindings/${bound.body.id}`;
  expect((await api.request('GET', `${hb}/content`, { token: host.credential })).status).toBe(200);
  await api.request('PUT', `${hb}/state`, {
    token: host.credential,
    body: { state: 'materialized' },
  });
  await api.delete(`${b}/${bound.body.id}`, demo);
  await api.delete(f, demo);
  await api.delete(w, demo);
}
