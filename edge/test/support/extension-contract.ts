import { expect } from 'vitest';
import type { Api } from './api.ts';
import { paintArchive } from './extension-archives.ts';

/**
 * Every extension operation once (for the contract walk): upload, list, get, approve, refuse, a
 * session naming it, its host's download of the archive, delete.
 */
export async function extensionOperations(
  api: Api,
  demo: string,
  host: { id: string; credential: string },
): Promise<void> {
  const bytes = await paintArchive();
  const upload = () =>
    api.request('POST', '/api/v1/extensions', {
      token: demo,
      raw: bytes,
      headers: { 'content-type': 'application/zip' },
    });
  const created = await upload();
  expect(created.status).toBe(201);
  const ext = `/api/v1/extensions/${created.body.id}`;
  await api.get('/api/v1/extensions', demo);
  await api.get(ext, demo);
  await api.post(`${ext}/approve`, demo);
  const other = await upload();
  await api.post(`/api/v1/extensions/${other.body.id}/refuse`, demo);
  const session = await api.post('/api/v1/sessions', demo, { extension_ids: [created.body.id] });
  expect(session.status).toBe(201);
  await api.get(
    `/api/v1/hosts/${host.id}/sessions/${session.body.id}/extensions/${created.body.id}/content`,
    host.credential,
  );
  await api.delete(ext, demo);
}
