/**
 * Recordings through the edge with a simulated host and recording worker (the real worker and
 * media are proven in test/e2e/recording.test.ts): the policy on sessions, segments started by the
 * `always` policy and through the API, the worker's progress, parts, completion and failure, the
 * content with ranges, the playback summary, manifest and exports, retention, and who may do what.
 * Every answer is checked against the OpenAPI document (support/api.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser } from './support/oidc.ts';
import { sha256, WorkerDriver } from './support/recording-worker-driver.ts';
import { type Stack, startStack } from './support/stack.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('session recordings (edge, simulated host and worker)', () => {
  let stack: Stack;
  let demo: string;
  let other: string;
  let host: HostDriver;
  let worker: WorkerDriver;

  beforeAll(async () => {
    // the tests here start more sessions than one user keeps by default
    stack = await startStack('pglite', { vars: { MAX_SESSIONS_PER_USER: '50' } });
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    other = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
    host = new HostDriver(stack.api, 'recording-host', { maxSessions: 50 });
    host.recorder = true;
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
    worker = new WorkerDriver(stack.api, host);
  });
  afterAll(() => stack?.stop());

  const api = () => stack.api;

  async function runningSession(recording?: Record<string, unknown>) {
    const created = await api().post('/api/v1/sessions', demo, recording ? { recording } : {});
    expect(created.status, created.text).toBe(201);
    host.run(created.body.id);
    await host.beat();
    return created.body;
  }

  const recordingsOf = async (id: string) =>
    (await api().get(`/api/v1/sessions/${id}/recordings`, demo)).body.recordings;

  it('shows the policy of a session: the server default, or what it was created with', async () => {
    const plain = await api().post('/api/v1/sessions', demo, {});
    expect(plain.body.recording).toEqual({
      mode: 'disabled',
      format: 'webm',
      retention_sec: null,
      include_audio: false,
      rrweb: false,
    });
    // The reference's client sends all three members (retention_sec explicitly null).
    const ref = await api().post('/api/v1/sessions', demo, {
      recording: { mode: 'manual', format: 'webm', retention_sec: null },
    });
    expect(ref.body.recording.mode).toBe('manual');
    const ours = await api().post('/api/v1/sessions', demo, {
      recording: { mode: 'always', retention_sec: 3600, include_audio: true, rrweb: true },
    });
    expect(ours.body.recording).toEqual({
      mode: 'always',
      format: 'webm',
      retention_sec: 3600,
      include_audio: true,
      rrweb: true,
    });
    for (const bad of [
      { mode: 'sometimes' },
      { mode: 'always', format: 'mp4' },
      { retention_sec: 5 },
    ])
      expect(
        (await api().post('/api/v1/sessions', demo, { recording: bad }, { unchecked: true })).body
          .code,
      ).toBe('validation_failed');
  });

  it('records an `always` session: the host is told, the worker reports, stops, stores and completes', async () => {
    const session = await runningSession({ mode: 'always', include_audio: true });
    const [first] = await recordingsOf(session.id);
    expect(first).toMatchObject({
      state: 'starting',
      sequence: 1,
      trigger: 'always',
      previous_recording_id: null,
      include_audio: true,
      artifact_available: false,
      bytes: null,
    });
    const desired = host.last?.recordings.find((r) => r.recording_id === first.id);
    expect(desired).toMatchObject({
      session_id: session.id,
      state: 'starting',
      include_audio: true,
    });

    const attached = await worker.progress(first.id, { state: 'recording', bytes_written: 0 });
    expect(attached.body.state).toBe('recording');
    const part = bytes('part one of a live webm|');
    expect(await worker.upload(first.id, 'part', part, 1)).toEqual({ via: 'edge', status: 201 });
    const progress = await worker.progress(first.id, {
      state: 'recording',
      bytes_written: part.byteLength,
      duration_ms: 1500,
      parts: 1,
    });
    expect(progress.body.progress).toMatchObject({
      bytes_written: part.byteLength,
      duration_ms: 1500,
    });
    const status = await api().get(`/api/v1/sessions/${session.id}/status`, demo);
    expect(status.body.recording).toMatchObject({
      configured_mode: 'always',
      state: 'recording',
      active_recording_id: first.id,
      bytes_written: part.byteLength,
    });

    // The content is not there while recording: a clear 409, never a 404.
    const early = await api().get(
      `/api/v1/sessions/${session.id}/recordings/${first.id}/content`,
      demo,
    );
    expect([early.status, early.body.code, early.body.details]).toEqual([
      409,
      'recording_not_ready',
      { state: 'recording' },
    ]);

    const stopped = await api().post(
      `/api/v1/sessions/${session.id}/recordings/${first.id}/stop`,
      demo,
    );
    expect(stopped.body).toMatchObject({ state: 'finalizing', termination_reason: 'manual_stop' });
    const again = await api().post(
      `/api/v1/sessions/${session.id}/recordings/${first.id}/stop`,
      demo,
    );
    expect([again.status, again.body.state]).toEqual([200, 'finalizing']);
    // The worker learns it from its next report.
    expect((await worker.progress(first.id, { state: 'recording' })).body.state).toBe('finalizing');

    const video = bytes('the finished webm file, remuxed with cues and a duration');
    expect((await worker.upload(first.id, 'video', video)).status).toBe(201);
    const wrongPath = await worker.complete(session.id, first.id, { source_path: '/tmp/x.webm' });
    expect([wrongPath.status, wrongPath.body.code]).toEqual([400, 'validation_failed']);
    const wrongSize = await worker.complete(session.id, first.id, {
      source_path: `/var/rec/${session.id}/${first.id}.webm`,
      bytes: video.byteLength + 1,
    });
    expect(wrongSize.body.error).toContain('differs');
    const done = await worker.complete(session.id, first.id, {
      source_path: `/var/rec/${session.id}/${first.id}.webm`,
      mime_type: 'video/webm',
      bytes: video.byteLength,
      duration_ms: 2500,
      has_audio: true,
    });
    expect(done.body).toMatchObject({
      state: 'ready',
      bytes: video.byteLength,
      duration_ms: 2500,
      mime_type: 'video/webm',
      artifact_available: true,
      has_audio: true,
    });
    expect(
      (
        await worker.complete(session.id, first.id, {
          source_path: `${session.id}/${first.id}.webm`,
        })
      ).body.code,
    ).toBe('recording_not_active');

    const url = `${stack.edge.url}/api/v1/sessions/${session.id}/recordings/${first.id}/content`;
    const whole = await fetch(url, { headers: { authorization: `Bearer ${demo}` } });
    expect([
      whole.status,
      whole.headers.get('content-type'),
      whole.headers.get('content-length'),
    ]).toEqual([200, 'video/webm', String(video.byteLength)]);
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(video);
    const range = await fetch(url, {
      headers: { authorization: `Bearer ${demo}`, range: 'bytes=4-11' },
    });
    expect([range.status, range.headers.get('content-range'), await range.text()]).toEqual([
      206,
      `bytes 4-11/${video.byteLength}`,
      'finished',
    ]);
    const past = await api().get(
      `/api/v1/sessions/${session.id}/recordings/${first.id}/content`,
      demo,
      {
        headers: { range: `bytes=${video.byteLength}-` },
      },
    );
    expect([past.status, past.body.code, past.headers.get('content-range')]).toEqual([
      416,
      'range_not_satisfiable',
      `bytes */${video.byteLength}`,
    ]);
    const head = await fetch(url, { method: 'HEAD', headers: { authorization: `Bearer ${demo}` } });
    expect(head.headers.get('content-length')).toBe(String(video.byteLength));

    // The owner stopped it: policy `always` does not start the next segment until the browser
    // restarts; the owner may start one at once.
    await host.beat();
    expect(await recordingsOf(session.id)).toHaveLength(1);
    const second = await api().post(`/api/v1/sessions/${session.id}/recordings`, demo);
    expect(second.body).toMatchObject({
      sequence: 2,
      previous_recording_id: first.id,
      trigger: 'manual',
    });
    const twice = await api().post(`/api/v1/sessions/${session.id}/recordings`, demo);
    expect([twice.status, twice.body.code, twice.body.details]).toEqual([
      409,
      'recording_already_active',
      { active_recording_id: second.body.id },
    ]);
    // Killing the session ends it with that reason.
    await api().post(`/api/v1/sessions/${session.id}/kill`, demo);
    const [, ended] = await recordingsOf(session.id);
    expect(ended).toMatchObject({ state: 'finalizing', termination_reason: 'session_kill' });
  });

  it('continues in a new segment when the recorder lost the session, and restarts `always` with the browser', async () => {
    const session = await runningSession({ mode: 'always' });
    const [first] = await recordingsOf(session.id);
    await worker.progress(first.id, { state: 'recording' });
    // The recorder's relay connection dropped (e.g. the browser restarted): it stops by itself.
    const gone = await worker.progress(first.id, {
      state: 'finalizing',
      termination_reason: 'client_disconnect',
    });
    expect(gone.body).toMatchObject({
      state: 'finalizing',
      termination_reason: 'client_disconnect',
    });
    await worker.upload(first.id, 'video', bytes('segment one'));
    await worker.complete(session.id, first.id, { source_path: `${session.id}/${first.id}.webm` });
    await host.beat();
    const [, next] = await recordingsOf(session.id);
    expect(next).toMatchObject({ sequence: 2, previous_recording_id: first.id, state: 'starting' });
    // The session stops; reconnecting restarts it and `always` records again.
    await api().post(`/api/v1/sessions/${session.id}/kill`, demo);
    host.drop(session.id);
    await host.beat();
    expect((await api().get(`/api/v1/sessions/${session.id}`, demo)).body.state).toBe('stopped');
    await api().post(`/api/v1/sessions/${session.id}/access-tokens`, demo);
    host.run(session.id);
    await host.beat();
    await host.beat();
    const all = await recordingsOf(session.id);
    expect(all.map((r: { state: string; sequence: number }) => [r.sequence, r.state])).toEqual([
      [1, 'ready'],
      [2, 'finalizing'],
      [3, 'starting'],
    ]);
  });

  it('keeps what a failed recorder stored: its parts become the file', async () => {
    const session = await runningSession({ mode: 'manual' });
    const started = await api().post(`/api/v1/sessions/${session.id}/recordings`, demo);
    expect(started.status).toBe(201);
    await host.beat();
    const id = started.body.id;
    await worker.progress(id, { state: 'recording' });
    await worker.upload(id, 'part', bytes('AAAA'), 1);
    await worker.upload(id, 'part', bytes('BBBB'), 2);
    await worker.progress(id, { state: 'recording', parts: 2, duration_ms: 4000 });
    const failed = await worker.fail(session.id, id, {
      error: 'the artifact store refused the upload',
    });
    expect(failed.body).toMatchObject({
      state: 'failed',
      error: 'the artifact store refused the upload',
      termination_reason: 'worker_exit',
      artifact_available: true,
      bytes: 8,
    });
    const content = await api().get(
      `/api/v1/sessions/${session.id}/recordings/${id}/content`,
      demo,
    );
    expect(content.text).toBe('AAAABBBB');
    const status = await api().get(`/api/v1/sessions/${session.id}/status`, demo);
    expect(status.body.recording).toMatchObject({
      state: 'failed',
      error: 'the artifact store refused the upload',
    });
    // The next segment waits instead of failing in a loop.
    await host.beat();
    expect(await recordingsOf(session.id)).toHaveLength(1);
  });

  it('summarises the playback, lists it in a manifest and exports a bundle and a joined file', async () => {
    const session = await runningSession({ mode: 'manual' });
    const ids: string[] = [];
    for (const text of ['first segment', 'second segment']) {
      const r = await api().post(`/api/v1/sessions/${session.id}/recordings`, demo);
      await host.beat();
      await worker.progress(r.body.id, { state: 'recording' });
      await api().post(`/api/v1/sessions/${session.id}/recordings/${r.body.id}/stop`, demo);
      await worker.upload(r.body.id, 'video', bytes(text));
      await worker.complete(session.id, r.body.id, {
        source_path: `${session.id}/${r.body.id}.webm`,
        duration_ms: 1000,
      });
      ids.push(r.body.id);
    }
    const playback = await api().get(`/api/v1/sessions/${session.id}/recording-playback`, demo);
    expect(playback.body).toMatchObject({
      state: 'ready',
      segment_count: 2,
      included_segment_count: 2,
      included_bytes: 'first segment'.length + 'second segment'.length,
      included_duration_ms: 2000,
    });
    expect(
      playback.body.exports.map((e: { format: string; state: string }) => [e.format, e.state]),
    ).toEqual([
      ['zip', 'ready'],
      ['webm', 'not_built'],
      ['mp4', 'not_built'],
    ]);
    const manifest = await api().get(
      `/api/v1/sessions/${session.id}/recording-playback/manifest`,
      demo,
    );
    expect(manifest.body.format_version).toBe('browserpane_recording_playback_v1');
    expect(
      manifest.body.segments.map((s: { file_name: string; offset_ms: number }) => [
        s.file_name,
        s.offset_ms,
      ]),
    ).toEqual([
      [`segments/0001-${ids[0]}.webm`, 0],
      [`segments/0002-${ids[1]}.webm`, 1000],
    ]);

    // The reference bundle: a zip any unzip reads.
    const zip = await fetch(
      `${stack.edge.url}/api/v1/sessions/${session.id}/recording-playback/export`,
      {
        headers: { authorization: `Bearer ${demo}` },
      },
    );
    const buf = new Uint8Array(await zip.arrayBuffer());
    expect([
      zip.status,
      zip.headers.get('content-type'),
      zip.headers.get('content-length'),
    ]).toEqual([200, 'application/zip', String(buf.byteLength)]);
    const dir = mkdtempSync(join(tmpdir(), 'bp-zip-'));
    writeFileSync(join(dir, 'x.zip'), buf);
    const listing = JSON.parse(
      execFileSync('python3', [
        '-c',
        'import zipfile,sys,json; z=zipfile.ZipFile(sys.argv[1]); z.testzip(); print(json.dumps({n: z.read(n).decode("utf-8","replace")[:40] for n in z.namelist()}))',
        join(dir, 'x.zip'),
      ]).toString(),
    );
    expect(Object.keys(listing)).toEqual([
      'manifest.json',
      'player.html',
      `segments/0001-${ids[0]}.webm`,
      `segments/0002-${ids[1]}.webm`,
    ]);
    expect(listing[`segments/0002-${ids[1]}.webm`]).toBe('second segment');

    // The joined file is built by a recording worker on first request.
    const pending = await api().get(
      `/api/v1/sessions/${session.id}/recording-playback/export?format=webm`,
      demo,
    );
    expect([pending.status, pending.body.code, pending.headers.get('retry-after')]).toEqual([
      409,
      'recording_export_pending',
      '3',
    ]);
    await host.beat();
    const job = host.last?.exports.find((x) => x.session_id === session.id);
    expect(job).toMatchObject({ format: 'webm' });
    const exportId = job?.export_id as string;
    const sources = await worker.call('POST', '/api/v1/recording-worker/export-sources', exportId);
    expect(sources.body.segments.map((s: { recording_id: string }) => s.recording_id)).toEqual(ids);
    const read = await fetch(sources.body.segments[1].url, {
      headers: { 'x-bpane-recording-worker-token': worker.token(exportId) },
    });
    expect(await read.text()).toBe('second segment');
    // An export token reads only its own segments and writes only its export.
    expect(
      (
        await worker.call('POST', '/api/v1/recording-worker/progress', exportId, {
          state: 'recording',
        })
      ).body.code,
    ).toBe('recording_worker_unauthorized');
    const joined = bytes('first segment+second segment, joined');
    expect((await worker.upload(exportId, 'export', joined)).status).toBe(201);
    const built = await worker.call('POST', '/api/v1/recording-worker/export/complete', exportId, {
      bytes: joined.byteLength,
      duration_ms: 2000,
    });
    expect(built.body).toMatchObject({ format: 'webm', state: 'ready', bytes: joined.byteLength });
    const served = await fetch(
      `${stack.edge.url}/api/v1/sessions/${session.id}/recording-playback/export?format=webm`,
      {
        headers: { authorization: `Bearer ${demo}` },
      },
    );
    expect([served.status, served.headers.get('content-type'), await served.text()]).toEqual([
      200,
      'video/webm',
      'first segment+second segment, joined',
    ]);

    // Deleting a segment drops the stale export; the playback follows.
    expect(
      (await api().delete(`/api/v1/sessions/${session.id}/recordings/${ids[0]}`, demo)).status,
    ).toBe(200);
    const after = await api().get(`/api/v1/sessions/${session.id}/recording-playback`, demo);
    expect([after.body.segment_count, after.body.exports[1].state]).toEqual([1, 'ready']);
    expect(
      (await api().get(`/api/v1/sessions/${session.id}/recordings/${ids[0]}`, demo)).status,
    ).toBe(404);
  });

  it('removes files past their retention in the sweep: the recording stays, its content is 410', async () => {
    const session = await runningSession({ mode: 'manual', retention_sec: 1 });
    const r = await api().post(`/api/v1/sessions/${session.id}/recordings`, demo);
    await host.beat();
    await api().post(`/api/v1/sessions/${session.id}/recordings/${r.body.id}/stop`, demo);
    await worker.upload(r.body.id, 'video', bytes('short-lived'));
    const done = await worker.complete(session.id, r.body.id, {
      source_path: `${session.id}/${r.body.id}.webm`,
    });
    expect(Date.parse(done.body.expires_at) - Date.parse(done.body.completed_at)).toBe(1000);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const sweep = await api().post('/api/v1/maintenance/sweep', stack.edge.secrets.operatorToken);
    expect(sweep.body.recordings_expired).toBeGreaterThanOrEqual(1);
    const gone = await api().get(
      `/api/v1/sessions/${session.id}/recordings/${r.body.id}/content`,
      demo,
    );
    expect([gone.status, gone.body.code]).toEqual([410, 'recording_artifact_expired']);
    const manifest = await api().get(
      `/api/v1/sessions/${session.id}/recording-playback/manifest`,
      demo,
    );
    expect(manifest.body.omitted_segments[0]).toMatchObject({
      recording_id: r.body.id,
      omitted_reason: 'artifact_missing',
      artifact_available: false,
    });
  });

  it('refuses what it must: disabled policy, other owners, wrong or missing worker tokens', async () => {
    const disabled = await runningSession();
    const refused = await api().post(`/api/v1/sessions/${disabled.id}/recordings`, demo);
    expect([refused.status, refused.body.code]).toEqual([409, 'recording_disabled']);
    expect(refused.body.error).toContain('disabled');

    const session = await runningSession({ mode: 'manual' });
    const mine = await api().post(`/api/v1/sessions/${session.id}/recordings`, demo);
    await host.beat();
    const path = `/api/v1/sessions/${session.id}/recordings/${mine.body.id}`;
    const doors = [
      ['GET', path],
      ['GET', `${path}/content`],
      ['GET', `${path}/dom-events`],
      ['POST', `${path}/stop`],
      ['DELETE', path],
      ['GET', `/api/v1/sessions/${session.id}/recordings`],
      ['POST', `/api/v1/sessions/${session.id}/recordings`],
      ['GET', `/api/v1/sessions/${session.id}/recording-playback`],
      ['GET', `/api/v1/sessions/${session.id}/recording-playback/manifest`],
      ['GET', `/api/v1/sessions/${session.id}/recording-playback/export?format=webm`],
      ['GET', `/api/v1/sessions/${session.id}/recording-playback/export?format=mp4`],
    ] as const;
    for (const [method, p] of doors) {
      // anonymous: 401; another user: 404, as if the session did not exist
      expect((await api().request(method, p, { token: null })).status, `${method} ${p}`).toBe(401);
      expect((await api().request(method, p, { token: other })).status, `${method} ${p}`).toBe(404);
    }
    // A person the session is shared with (even to drive it) does not get its recordings.
    const shared = await api().post(`/api/v1/sessions/${session.id}/shares`, demo, {
      role: 'collaborator',
      subject: 'demo2',
    });
    expect(shared.status, shared.text).toBe(201);
    expect((await api().get(`/api/v1/sessions/${session.id}`, other)).status).toBe(200);
    for (const [method, p] of doors)
      expect((await api().request(method, p, { token: other })).status, `${method} ${p}`).toBe(404);
    const unknown = await api().get(
      `/api/v1/sessions/${session.id}/recordings/${disabled.id}`,
      demo,
    );
    expect([unknown.status, unknown.body.code]).toEqual([404, 'recording_not_found']);
    expect((await api().get(`${path}/content`, null)).status).toBe(401);
    expect((await api().delete(path, demo)).body.code).toBe('recording_already_active');

    // Worker routes: nothing, garbage, a user's bearer, another recording's token.
    const progress = '/api/v1/recording-worker/progress';
    expect((await api().post(progress, null, { state: 'recording' })).body.code).toBe(
      'recording_worker_unauthorized',
    );
    expect((await api().post(progress, demo, { state: 'recording' })).body.code).toBe(
      'recording_worker_unauthorized',
    );
    expect(
      (
        await api().request('POST', progress, {
          body: { state: 'recording' },
          headers: { 'x-bpane-recording-worker-token': 'a.b.c' },
        })
      ).body.code,
    ).toBe('recording_worker_unauthorized');
    const [otherRec] = host.last?.recordings.filter((r) => r.recording_id !== mine.body.id) ?? [];
    expect(otherRec, 'an earlier test left another active recording on this host').toBeDefined();
    if (otherRec) {
      const crossed = await api().request('POST', `${path}/complete`, {
        body: { source_path: `${session.id}/${mine.body.id}.webm` },
        headers: { 'x-bpane-recording-worker-token': otherRec.worker_token },
      });
      expect([crossed.status, crossed.body.code]).toEqual([401, 'recording_worker_unauthorized']);
    }
    // A worker token is not a user credential either.
    expect((await api().get(path, worker.token(mine.body.id))).status).toBe(401);
    // A recorder ticket: role recorder, never input.
    const ticket = await worker.call(
      'POST',
      '/api/v1/recording-worker/recorder-ticket',
      mine.body.id,
    );
    expect(ticket.body.role).toBe('recorder');
    expect(ticket.body.capabilities).not.toContain('input');
    // and the CDP gateway's endpoint, where a recorder ticket captures rrweb events only
    expect(String(ticket.body.cdp_url)).toMatch(
      new RegExp(`/sessions/${session.id}/cdp\\?ticket=`),
    );
    // its ticket is the recording's own grant, not a share's (a revoked share must not cut it)
    const claims = JSON.parse(
      Buffer.from(String(ticket.body.token).split('.')[1] as string, 'base64url').toString(),
    );
    expect(claims).toMatchObject({ role: 'recorder', sub: `recorder:${mine.body.id}` });
    expect(claims.via).toBeUndefined();
    expect(sha256(ticket.body.token)).toHaveLength(64);
  });

  it('removes a purged session with its recordings, once the last one is saved', async () => {
    const session = await runningSession({ mode: 'manual' });
    const path = `/api/v1/sessions/${session.id}`;
    const started = await api().post(`${path}/recordings`, demo);
    await host.beat();
    const id = started.body.id;
    await worker.progress(id, { state: 'recording' });
    expect((await worker.upload(id, 'part', bytes('CCCC'), 1)).status).toBe(201);
    expect((await api().post(`${path}/stop`, demo)).status).toBe(200);
    host.drop(session.id);
    await host.beat();
    expect((await api().get(path, demo)).body.state).toBe('stopped');
    const [saving] = await recordingsOf(session.id);
    expect(saving.state).toBe('finalizing');
    // the worker is still saving it: the session waits, nothing is removed
    const early = await api().delete(`${path}?purge=true`, demo);
    expect([early.status, early.body.code]).toEqual([409, 'recording_already_active']);
    expect((await worker.upload(id, 'video', bytes('the saved file'))).status).toBe(201);
    const done = await worker.complete(session.id, id, {
      source_path: `${session.id}/${id}.webm`,
    });
    expect(done.body.state).toBe('ready');
    const stored = async () => {
      const bucket = await stack.edge.miniflare.getR2Bucket('ARTIFACTS');
      return (await bucket.list({ prefix: `sessions/${session.id}/` })).objects.length;
    };
    expect(await stored()).toBeGreaterThan(0);
    const removed = await api().delete(`${path}?purge=true`, demo);
    expect(removed.status, removed.text).toBe(200);
    expect((await api().get(`${path}/recordings/${id}`, demo)).status).toBe(404);
    expect(await stored()).toBe(0);
  });

  it('fails recordings at once on a host without a recording worker', async () => {
    const session = await runningSession({ mode: 'manual' });
    const r = await api().post(`/api/v1/sessions/${session.id}/recordings`, demo);
    expect(r.status).toBe(201);
    host.recorder = false;
    try {
      await host.beat();
      expect(host.last?.recordings).toEqual([]);
    } finally {
      host.recorder = true;
    }
    const failed = await api().get(`/api/v1/sessions/${session.id}/recordings/${r.body.id}`, demo);
    expect(failed.body).toMatchObject({
      state: 'failed',
      error: 'the host running this session has no recording worker',
    });
  });
});
