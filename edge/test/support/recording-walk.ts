import { expect } from 'vitest';
import type { Api } from './api.ts';
import type { HostDriver } from './host-driver.ts';
import { WorkerDriver } from './recording-worker-driver.ts';

const text = (s: string) => new TextEncoder().encode(s);

/**
 * Every recording route once, for the contract walk: a manual recording of a running session
 * from start to its export, the worker's side included (answers are checked by `api`).
 */
export async function walkRecordings(api: Api, host: HostDriver, demo: string): Promise<void> {
  host.recorder = true;
  const worker = new WorkerDriver(api, host);
  const created = await api.post('/api/v1/sessions', demo, { recording: { mode: 'manual' } });
  const sid = created.body.id as string;
  host.run(sid);
  await host.beat();
  const base = `/api/v1/sessions/${sid}`;
  const ids: string[] = [];
  for (const [i, content] of ['one', 'two'].entries()) {
    const started = await api.post(`${base}/recordings`, demo);
    expect(started.status, started.text).toBe(201);
    const rid = started.body.id as string;
    ids.push(rid);
    await host.beat();
    await worker.progress(rid, { state: 'recording' });
    await worker.call('POST', '/api/v1/recording-worker/recorder-ticket', rid);
    await worker.upload(rid, 'part', text(content), 1);
    if (i === 1) {
      await worker.fail(sid, rid, { error: 'walk: failed on purpose' });
      continue;
    }
    await api.post(`${base}/recordings/${rid}/stop`, demo);
    await worker.upload(rid, 'video', text(content));
    await worker.upload(rid, 'dom_events', text('{}'));
    await worker.call('PUT', '/api/v1/recording-worker/artifacts/video', rid, undefined, text(''));
    await worker.upload(rid, 'video', text(content));
    await worker.complete(sid, rid, { source_path: `${sid}/${rid}.webm` });
  }
  const [rid] = ids as [string];
  await api.get(`${base}/recordings`, demo);
  await api.get(`${base}/recordings/${rid}`, demo);
  await api.get(`${base}/recordings/${rid}/content`, demo);
  await api.get(`${base}/recordings/${rid}/dom-events`, demo);
  await api.get(`${base}/recording-playback`, demo);
  await api.get(`${base}/recording-playback/manifest`, demo);
  await api.get(`${base}/recording-playback/export`, demo);
  // Two ready segments make a webm export a worker builds.
  const again = await api.post(`${base}/recordings`, demo);
  await host.beat();
  await api.post(`${base}/recordings/${again.body.id}/stop`, demo);
  await worker.upload(again.body.id, 'video', text('three'));
  await worker.complete(sid, again.body.id, { source_path: `${sid}/${again.body.id}.webm` });
  await api.get(`${base}/recording-playback/export?format=webm`, demo);
  await host.beat();
  const job = host.last?.exports.find((x) => x.session_id === sid);
  const xid = job?.export_id as string;
  const sources = await worker.call('POST', '/api/v1/recording-worker/export-sources', xid);
  await api.get(`/api/v1/recording-worker/sources/${sources.body.segments[0].recording_id}`, null, {
    headers: { 'x-bpane-recording-worker-token': worker.token(xid) },
  });
  await worker.upload(xid, 'export', text('joined'));
  await worker.call('POST', '/api/v1/recording-worker/export/complete', xid, {
    bytes: 6,
    duration_ms: 0,
  });
  await api.request('GET', `${base}/recording-playback/export?format=mp4`, { token: demo });
  await host.beat();
  const mp4 = host.last?.exports.find((x) => x.session_id === sid && x.format === 'mp4');
  await worker.call('POST', '/api/v1/recording-worker/export/fail', mp4?.export_id as string, {
    error: 'walk: no encoder',
  });
  await api.delete(`${base}/recordings/${ids[1]}`, demo);
}
