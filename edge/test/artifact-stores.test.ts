/**
 * The artifact store's other two backends, end to end through the edge: an S3-compatible bucket
 * (s3rver, a local S3 server, on loopback; Miniflare runs the edge) and the workerd disk directory
 * of the self-hosted config (plain workerd). A session file recorded by a host is stored there and
 * read back whole and in ranges; content that does not match its digest is refused and leaves no
 * object behind; a store that is down is a 503 with a stable code while the rest of the API works.
 * (The R2 binding is the default of every other edge test: see session-files.case.ts.)
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../local/migrate.ts';
import { type RunningPostgres, startPostgres } from '../local/postgres.ts';
import { type RunningWorkerd, startWorkerd } from '../local/workerd.ts';
import { Api } from './support/api.ts';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Files under a directory, recursively, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

interface Edge {
  url: string;
  api: Api;
  enrollmentToken: string;
}

/** The checks every backend passes: record, read whole and in ranges, refuse a mismatch. */
function storeChecks(name: string, edge: () => Edge, stored: () => string[]) {
  let demo: string;
  let host: HostDriver;
  let sessionId: string;
  const put = (fileId: string, content: string, digest = sha256(content)) =>
    edge().api.request('PUT', `/api/v1/hosts/${host.id}/sessions/${sessionId}/files/${fileId}`, {
      token: host.credential,
      raw: content,
      headers: {
        'content-type': 'text/plain',
        'x-file-name': 'notes.txt',
        'x-file-sha256': digest,
      },
    });

  it(`${name}: stores a host's file and serves it whole and in ranges`, async () => {
    demo = await loginDevUser(edge().url, 'demo', 'demo-demo');
    host = new HostDriver(edge().api, `${name}-host`);
    await host.enroll(edge().enrollmentToken);
    sessionId = (await edge().api.post('/api/v1/sessions', demo, {})).body.id;
    host.run(sessionId, 'running');
    await host.beat();

    const id = randomUUID();
    const text = 'the quick brown fox jumps over the lazy dog';
    const created = await put(id, text);
    expect(created.status, created.text).toBe(201);
    expect(stored().some((k) => k.includes(id))).toBe(true);
    const url = `${edge().url}/api/v1/sessions/${sessionId}/files/${id}/content`;
    const whole = await fetch(url, { headers: { authorization: `Bearer ${demo}` } });
    expect([whole.status, whole.headers.get('content-length'), await whole.text()]).toEqual([
      200,
      String(text.length),
      text,
    ]);
    const part = await fetch(url, {
      headers: { authorization: `Bearer ${demo}`, range: 'bytes=4-8' },
    });
    expect([part.status, part.headers.get('content-range'), await part.text()]).toEqual([
      206,
      `bytes 4-8/${text.length}`,
      'quick',
    ]);
    const past = await fetch(url, {
      headers: { authorization: `Bearer ${demo}`, range: 'bytes=999-' },
    });
    expect(past.status).toBe(416);
  });

  it(`${name}: refuses content that does not match its digest and keeps none of it`, async () => {
    const id = randomUUID();
    const wrong = await put(id, 'tampered bytes', sha256('original bytes'));
    expect([wrong.status, wrong.body.code]).toEqual([400, 'validation_failed']);
    expect(stored().filter((k) => k.includes(id))).toEqual([]);
    expect((await edge().api.get(`/api/v1/sessions/${sessionId}/files/${id}`, demo)).status).toBe(
      404,
    );
  });
}

describe('artifact store: S3-compatible bucket (s3rver)', () => {
  const bucketDir = mkdtempSync(join(tmpdir(), 'bp-s3-'));
  let s3: S3rver;
  let stack: Stack;

  beforeAll(async () => {
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: bucketDir,
      configureBuckets: [{ name: 'browserpane', configs: [] }],
    });
    const { port } = await s3.run();
    stack = await startStack('pglite', {
      vars: {
        ARTIFACTS_S3_URL: `http://127.0.0.1:${port}/browserpane`,
        ARTIFACTS_S3_ACCESS_KEY_ID: 'S3RVER',
        ARTIFACTS_S3_SECRET_ACCESS_KEY: 'S3RVER',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await s3?.close().catch(() => {});
    rmSync(bucketDir, { recursive: true, force: true });
  });

  storeChecks(
    's3',
    () => ({
      url: stack.edge.url,
      api: stack.api,
      enrollmentToken: stack.edge.secrets.hostEnrollmentToken,
    }),
    () =>
      filesUnder(join(bucketDir, 'browserpane')).filter(
        (k) => !k.endsWith('._S3rver_metadata.json'),
      ),
  );

  it('s3: a store that is down is a 503 artifact_store_unavailable; the rest of the API works', async () => {
    await s3.close();
    const demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    const list = await stack.api.get('/api/v1/sessions', demo);
    expect(list.status).toBe(200);
    const [session] = list.body.sessions as { id: string }[];
    const files = await stack.api.get(`/api/v1/sessions/${session?.id}/files`, demo);
    const [file] = files.body.files as { content_url: string }[];
    const res = await stack.api.get(file?.content_url ?? '', demo);
    expect([res.status, res.body.code]).toEqual([503, 'artifact_store_unavailable']);
  });
});

describe('artifact store: workerd disk directory (plain workerd)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bp-disk-'));
  let pg: RunningPostgres;
  let edge: RunningWorkerd;

  beforeAll(async () => {
    pg = await startPostgres({ pooler: true });
    await migrate(pg.directUrl, { log: () => {} });
    edge = await startWorkerd({ databaseUrl: pg.url, dataDir, log: () => {} });
  });
  afterAll(async () => {
    await edge?.stop();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  storeChecks(
    'disk',
    () => ({
      url: edge.url,
      api: new Api(edge.url),
      enrollmentToken: edge.secrets.hostEnrollmentToken,
    }),
    () => filesUnder(join(dataDir, 'artifacts')),
  );
});
