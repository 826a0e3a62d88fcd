import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

type Json = Record<string, unknown>;

/** A body sent as is (not checked against the contract: it is meant to be wrong). */
const raw = (text: string) => ({
  raw: text,
  headers: { 'content-type': 'application/json' },
  unchecked: true,
});

/**
 * Telling sessions apart and cleaning up: an owner names a session (at creation or later), the
 * host reports the title and host name of the tab a person sees, the list filters on both, and an
 * ended session can be removed for good with its files. Other people and anonymous callers can do
 * none of it.
 */
describe('session names, page titles and removal', () => {
  let stack: Stack;
  let demo: string;
  let demo2: string;
  let host: HostDriver;
  const api = () => stack.api;

  beforeAll(async () => {
    stack = await startStack('pglite');
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
    host = new HostDriver(api(), 'names-host', { maxSessions: 8 });
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const newSession = async (body: Json = {}) => {
    const created = await api().post('/api/v1/sessions', demo, body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sid = created.body.id as string;
    host.run(sid);
    await host.beat();
    return sid;
  };

  it('keeps the name given at creation, and renames only for the owner', async () => {
    const sid = await newSession({ display_name: 'Quarterly report' });
    const path = `/api/v1/sessions/${sid}`;
    expect((await api().get(path, demo)).body).toMatchObject({
      display_name: 'Quarterly report',
      page: null,
    });

    const renamed = await api().patch(path, demo, { display_name: '  Invoices  ' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.display_name).toBe('Invoices');
    expect((await api().get(path, demo)).body.display_name).toBe('Invoices');

    // anonymous, another person, and a person it is shared with as viewer: no rename
    expect((await api().patch(path, null, { display_name: 'x' })).status).toBe(401);
    const foreign = await api().patch(path, demo2, { display_name: 'mine now' });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('session_not_found');
    await api().post(`${path}/shares`, demo, { role: 'collaborator', subject: 'demo2' });
    expect((await api().patch(path, demo2, { display_name: 'mine now' })).status).toBe(404);
    expect((await api().get(path, demo)).body.display_name).toBe('Invoices');

    // null forgets the name
    expect((await api().patch(path, demo, { display_name: null })).body.display_name).toBeNull();
  });

  it('refuses a bad rename with a clear error and changes nothing', async () => {
    const sid = await newSession({ display_name: 'Keep me' });
    const path = `/api/v1/sessions/${sid}`;
    const cases: [string, string, RegExp][] = [
      ['{"display_name": 42}', 'validation_failed', /display_name/],
      ['{"display_name": "   "}', 'validation_failed', /blank/],
      [`{"display_name": "${'x'.repeat(201)}"}`, 'validation_failed', /between 1 and 200/],
      ['{"display_name": "a", "owner": "demo2"}', 'validation_failed', /owner/],
      ['{}', 'validation_failed', /display_name/],
      ['{"display_name": ', 'invalid_json', /JSON/],
    ];
    for (const [body, code, message] of cases) {
      const res = await api().request('PATCH', path, { token: demo, ...raw(body) });
      expect(res.status, body).toBe(400);
      expect((res.body as Json).code, body).toBe(code);
      expect(String((res.body as Json).error), body).toMatch(message);
    }
    const big = await api().request('PATCH', path, {
      token: demo,
      ...raw(`{"display_name": "${'y'.repeat(10_000)}"}`),
    });
    expect(big.status).toBe(413);
    expect((await api().get(path, demo)).body.display_name).toBe('Keep me');
  });

  it("shows the visible tab's title and only the host name of its address, and filters on them", async () => {
    const sid = await newSession();
    host.run(sid, 'running', {
      page: {
        title: 'Flight search — Example Air',
        url: 'https://book.example-air.test:8443/s?token=abc',
      },
    });
    await host.beat();
    const read = (await api().get(`/api/v1/sessions/${sid}`, demo)).body;
    expect(read.page).toEqual({
      title: 'Flight search — Example Air',
      host: 'book.example-air.test:8443',
    });
    expect(JSON.stringify(read)).not.toContain('token=abc');

    const search = async (q: string) =>
      (
        (await api().get(`/api/v1/sessions?q=${encodeURIComponent(q)}`, demo)).body
          .sessions as Json[]
      ).map((s) => s.id);
    expect(await search('FLIGHT search')).toEqual([sid]);
    expect(await search('example-air')).toEqual([sid]);
    expect(await search('no such words')).toEqual([]);
    // another person finds nothing by the same words
    expect((await api().get('/api/v1/sessions?q=flight', demo2)).body.sessions).toEqual([]);

    // a page that is not a web address has a title and no host; the last report stands after stop
    host.run(sid, 'running', { page: { title: 'New Tab', url: 'chrome://newtab/' } });
    await host.beat();
    expect((await api().get(`/api/v1/sessions/${sid}`, demo)).body.page).toEqual({
      title: 'New Tab',
      host: '',
    });
  });

  it('removes an ended session with its files; a running one must be stopped first', async () => {
    const sid = await newSession({ display_name: 'To be removed' });
    const path = `/api/v1/sessions/${sid}`;
    const content = 'a produced file';
    const fileId = randomUUID();
    const put = await api().request(
      'PUT',
      `/api/v1/hosts/${host.id}/sessions/${sid}/files/${fileId}`,
      {
        token: host.credential,
        raw: content,
        headers: {
          'content-type': 'text/plain',
          'x-file-name': 'notes.txt',
          'x-file-sha256': createHash('sha256').update(content).digest('hex'),
        },
      },
    );
    expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
    const stored = async () => {
      const bucket = await stack.edge.miniflare.getR2Bucket('ARTIFACTS');
      return (await bucket.list({ prefix: `sessions/${sid}/` })).objects.map((o) => o.key);
    };
    expect(await stored()).toEqual([`sessions/${sid}/files/${fileId}`]);

    const running = await api().delete(`${path}?purge=true`, demo);
    expect(running.status).toBe(409);
    expect(running.body).toMatchObject({ code: 'session_not_ended' });
    expect(String(running.body.error)).toMatch(/stop it before removing it/);

    expect((await api().post(`${path}/stop`, demo)).status).toBe(200);
    host.drop(sid);
    await host.beat();
    expect((await api().get(path, demo)).body.state).toBe('stopped');

    // anonymous and another person: nothing removed; a wrong flag is a clear 400
    expect((await api().delete(`${path}?purge=true`, null)).status).toBe(401);
    expect((await api().delete(`${path}?purge=true`, demo2)).status).toBe(404);
    const wrong = await api().delete(`${path}?purge=yes`, demo, { unchecked: true });
    expect(wrong.status).toBe(400);
    expect(String(wrong.body.error)).toMatch(/purge/);
    expect((await api().get(path, demo)).status).toBe(200);

    const removed = await api().delete(`${path}?purge=true`, demo);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({
      id: sid,
      display_name: 'To be removed',
      state: 'stopped',
    });
    expect((await api().get(path, demo)).status).toBe(404);
    expect((await api().get(`${path}/files`, demo)).status).toBe(404);
    expect(await stored()).toEqual([]);
    const listed = (await api().get('/api/v1/sessions', demo)).body.sessions as Json[];
    expect(listed.map((s) => s.id)).not.toContain(sid);
    // and the plain DELETE is still the reference's safe stop
    const other = await newSession();
    const stopped = await api().delete(`/api/v1/sessions/${other}`, demo);
    expect(stopped.status).toBe(200);
    expect(['stopping', 'stopped']).toContain(stopped.body.state);
    expect((await api().get(`/api/v1/sessions/${other}`, demo)).status).toBe(200);
  });
});
