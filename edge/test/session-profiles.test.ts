import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * Portable profiles over HTTP against the edge under workerd: the host a session is placed on
 * gets its key and an upload target, stores archives through the edge, reads the saved one back;
 * nobody else (no credential, another host) reaches them; an older revision never replaces a newer.
 */
describe('session profiles (pglite)', () => {
  let stack: Stack;
  let demo: string;
  let host: HostDriver;
  let other: HostDriver;
  let sessionId: string;
  const profilePath = (driver: HostDriver = host, session = sessionId) =>
    `/api/v1/hosts/${driver.id}/sessions/${session}/profile`;
  const access = (driver: HostDriver = host, token: string | null = driver.credential) =>
    stack.api.request('GET', profilePath(driver), { token });
  const put = (
    revision: string,
    content: Uint8Array,
    headers: Record<string, string> = {},
    driver: HostDriver = host,
  ) =>
    stack.api.request('PUT', `${profilePath(driver)}/revisions/${revision}`, {
      token: driver.credential,
      raw: content,
      headers: {
        'content-type': 'application/octet-stream',
        'x-content-sha256': sha256(content),
        ...headers,
      },
    });

  beforeAll(async () => {
    stack = await startStack('pglite');
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    host = new HostDriver(stack.api, 'profiles-host');
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
    sessionId = (await stack.api.post('/api/v1/sessions', demo, {})).body.id;
    host.run(sessionId);
    await host.beat();
    other = new HostDriver(stack.api, 'profiles-other');
    await other.enroll(stack.edge.secrets.hostEnrollmentToken);
  });
  afterAll(() => stack?.stop());

  it('gives the placed host a stable key, no saved archive yet and an upload target', async () => {
    const first = await access();
    expect(first.status).toBe(200);
    expect(first.body.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.body.saved).toBeNull();
    expect(first.body.download).toBeNull();
    expect(first.body.upload).toMatchObject({ presigned: false, expires_at: null });
    expect(first.body.upload.url).toBe(`${profilePath()}/revisions/${first.body.upload.revision}`);
    const second = await access();
    expect(second.body.key).toBe(first.body.key);
    expect(second.body.upload.revision > first.body.upload.revision).toBe(true);
  });

  it('keeps the key only wrapped in the database', async () => {
    const { key } = (await access()).body;
    const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const rows =
        await sql`select wrapped_key from session_profiles where session_id = ${sessionId}`;
      const wrapped = String(rows[0]?.wrapped_key);
      expect(wrapped).toMatch(/^v1\./);
      expect(wrapped.includes(key)).toBe(false);
    } finally {
      await sql.end();
    }
  });

  it('refuses anyone but the host of the session', async () => {
    expect((await access(host, null)).body.code).toBe('host_unauthorized');
    expect((await access(host, 'bph_not-a-credential')).body.code).toBe('host_unauthorized');
    // another host, with its own valid credential, asking for this session: the session's 404
    const foreign = await stack.api.request('GET', profilePath(host).replace(host.id, other.id), {
      token: other.credential,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('session_not_found');
    // and it may not store or read one either
    const { upload } = (await access()).body;
    const sneaky = await put(upload.revision, new Uint8Array([1, 2, 3]), {}, other);
    expect(sneaky.body.code).toBe('session_not_found');
  });

  it('stores an archive through the edge, hands it back, and never lets an older revision win', async () => {
    // the heartbeat tells the host whether a profile is saved (it then starts the session cold)
    const profileSaved = async () =>
      (await host.beat()).sessions.find((s) => s.session_id === sessionId)?.options.profile_saved;
    expect(await profileSaved()).toBe(false);
    const older = (await access()).body.upload.revision;
    const newer = (await access()).body.upload.revision;
    const archive = new Uint8Array(70_000).map((_, i) => (i * 7) & 0xff);
    const saved = await put(newer, archive);
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({
      revision: newer,
      size: archive.length,
      sha256: sha256(archive),
      host_id: host.id,
    });
    const stale = await put(older, new Uint8Array([9]));
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('profile_revision_stale');
    expect(await profileSaved()).toBe(true);
    const after = (await access()).body;
    expect(after.saved.revision).toBe(newer);
    expect(after.download.url).toBe(`${profilePath()}/revisions/${newer}/content`);
    const res = await fetch(`${stack.edge.url}${after.download.url}`, {
      headers: { authorization: `Bearer ${host.credential}` },
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(archive))).toBe(true);
    const anonymous = await fetch(`${stack.edge.url}${after.download.url}`);
    expect(anonymous.status).toBe(401);
    const oldContent = await stack.api.request(
      'GET',
      `${profilePath()}/revisions/${older}/content`,
      {
        token: host.credential,
      },
    );
    expect(oldContent.body.code).toBe('not_found');
  });

  it('refuses content whose digest or length differs, a revision it never handed out, and missing headers', async () => {
    const { upload } = (await access()).body;
    const wrongDigest = await put(upload.revision, new Uint8Array([1, 2, 3]), {
      'x-content-sha256': sha256('other'),
    });
    expect(wrongDigest.body.code).toBe('validation_failed');
    const noDigest = await put(upload.revision, new Uint8Array([1]), { 'x-content-sha256': '' });
    expect(noDigest.body.code).toBe('validation_failed');
    const ancient = await put('00000000-0000-7000-8000-000000000000', new Uint8Array([1]));
    expect(ancient.body.code).toBe('validation_failed');
    const notUuid = await put('not-a-revision', new Uint8Array([1]));
    expect(notUuid.status).toBe(400);
    // the saved revision is still the one from before
    expect((await access()).body.saved.size).toBe(70_000);
  });

  it('commits a presigned upload only when the store holds its bytes', async () => {
    const { upload } = (await access()).body;
    const missing = await stack.api.request(
      'POST',
      `${profilePath()}/revisions/${upload.revision}/commit`,
      {
        token: host.credential,
        body: { size: 3, sha256: sha256('abc') },
      },
    );
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
  });
});
