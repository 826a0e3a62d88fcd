import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser, serviceToken } from './support/oidc.ts';
import { type DbKind, type Stack, startStack } from './support/stack.ts';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A raw request with headers as given (fetch would fix up content-length). */
function rawRequest(
  url: string,
  headers: Record<string, string>,
  body: Uint8Array | undefined,
  method = 'PUT',
): Promise<{ status: number; body: { code?: string } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
    });
    req.on('error', reject);
    if (body) req.end(body);
    else req.flushHeaders();
  });
}

/**
 * Session files over HTTP against the edge under workerd: a host records a download's content,
 * the owner and its automation delegate list and read it, nobody else sees it.
 */
export function sessionFilesSuite(kind: DbKind) {
  describe(`session files (${kind})`, () => {
    let stack: Stack;
    let demo: string;
    let demo2: string;
    let bridge: string;
    let host: HostDriver;
    let other: HostDriver;
    let sessionId: string;
    const api = () => stack.api;
    const put = (
      fileId: string,
      content: string | Uint8Array,
      headers: Record<string, string> = {},
      driver: HostDriver = host,
      session = sessionId,
    ) =>
      api().request('PUT', `/api/v1/hosts/${driver.id}/sessions/${session}/files/${fileId}`, {
        token: driver.credential,
        raw: content,
        headers: {
          'content-type': 'text/plain',
          'x-file-name': encodeURIComponent('Bericht für März.txt'),
          'x-file-sha256': sha256(content),
          ...headers,
        },
      });

    beforeAll(async () => {
      stack = await startStack(kind);
      demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
      demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
      bridge = await serviceToken(
        stack.edge.url,
        'mcp-bridge',
        stack.edge.secrets.serviceClients['mcp-bridge'] as string,
      );
      host = new HostDriver(stack.api, `files-host-${kind}`);
      await host.enroll(stack.edge.secrets.hostEnrollmentToken);
      sessionId = (await api().post('/api/v1/sessions', demo, {})).body.id;
      host.run(sessionId);
      await host.beat();
      other = new HostDriver(stack.api, `files-other-${kind}`);
      await other.enroll(stack.edge.secrets.hostEnrollmentToken);
    });
    afterAll(() => stack?.stop());

    it('records a file with its content, idempotently per id', async () => {
      const id = randomUUID();
      const created = await put(id, 'hello session files');
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({
        id,
        session_id: sessionId,
        name: 'Bericht für März.txt',
        mime_type: 'text/plain',
        size: 19,
        sha256: sha256('hello session files'),
        source: 'download',
        content_url: `/api/v1/sessions/${sessionId}/files/${id}/content`,
      });
      const again = await put(id, 'hello session files');
      expect(again.status).toBe(200);
      const list = await api().get(`/api/v1/sessions/${sessionId}/files`, demo);
      expect(list.body.files.map((f: { id: string }) => f.id)).toEqual([id]);
    });

    it('serves metadata and content to the owner, as an attachment that never renders', async () => {
      const id = randomUUID();
      const bytes = new Uint8Array(300_000).map((_, i) => (i * 13) & 0xff);
      expect((await put(id, bytes, { 'content-type': 'application/pdf' })).status).toBe(201);
      const meta = await api().get(`/api/v1/sessions/${sessionId}/files/${id}`, demo);
      expect(meta.body).toMatchObject({ id, size: 300_000, mime_type: 'application/pdf' });
      const res = await fetch(`${stack.edge.url}${meta.body.content_url}`, {
        headers: { authorization: `Bearer ${demo}` },
      });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toBe(
        "attachment; filename*=UTF-8''Bericht%20f%C3%BCr%20M%C3%A4rz.txt",
      );
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain('sandbox');
      // the contract check of the content route
      expect((await api().get(meta.body.content_url, demo)).status).toBe(200);
    });

    it('serves byte ranges for resumable downloads and players', async () => {
      const id = randomUUID();
      const text = 'abcdefghijklmnopqrstuvwxyz';
      expect((await put(id, text)).status).toBe(201);
      const url = `${stack.edge.url}/api/v1/sessions/${sessionId}/files/${id}/content`;
      const get = (headers: Record<string, string>, method = 'GET') =>
        fetch(url, { method, headers: { authorization: `Bearer ${demo}`, ...headers } });
      const whole = await get({});
      expect(whole.headers.get('accept-ranges')).toBe('bytes');
      expect(whole.headers.get('content-length')).toBe('26');
      expect(await whole.text()).toBe(text);
      const middle = await get({ range: 'bytes=2-5' });
      expect([middle.status, middle.headers.get('content-range'), await middle.text()]).toEqual([
        206,
        'bytes 2-5/26',
        'cdef',
      ]);
      expect(middle.headers.get('content-length')).toBe('4');
      const rest = await get({ range: 'bytes=20-' });
      expect([rest.status, await rest.text()]).toEqual([206, 'uvwxyz']);
      const tail = await get({ range: 'bytes=-3' });
      expect([tail.status, tail.headers.get('content-range'), await tail.text()]).toEqual([
        206,
        'bytes 23-25/26',
        'xyz',
      ]);
      const past = await get({ range: 'bytes=26-30' });
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe('bytes */26');
      expect(((await past.json()) as { code: string }).code).toBe('range_not_satisfiable');
      // a changed file (another entity tag) is sent whole, not spliced into an old download
      const stale = await get({ range: 'bytes=2-5', 'if-range': '"0000"' });
      expect([stale.status, await stale.text()]).toEqual([200, text]);
      const fresh = await get({ range: 'bytes=2-5', 'if-range': `"${sha256(text)}"` });
      expect([fresh.status, await fresh.text()]).toEqual([206, 'cdef']);
      const head = await get({}, 'HEAD');
      expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([
        200,
        '26',
        '',
      ]);
    });

    it('hides files from other owners and shows them to the automation delegate', async () => {
      const list = `/api/v1/sessions/${sessionId}/files`;
      const [first] = (await api().get(list, demo)).body.files;
      expect((await api().get(list, demo2)).status).toBe(404);
      expect((await api().get(`${list}/${first.id}`, demo2)).status).toBe(404);
      expect((await api().get(`${list}/${first.id}/content`, demo2)).status).toBe(404);
      expect((await api().get(list, bridge)).status).toBe(404);
      await api().post(`/api/v1/sessions/${sessionId}/automation-owner`, demo, {
        principal_id: 'mcp-bridge',
      });
      expect((await api().get(list, bridge)).body.files.length).toBeGreaterThanOrEqual(2);
      const content = await api().get(`${list}/${first.id}/content`, bridge);
      expect(content.text).toBe('hello session files');
      await api().delete(`/api/v1/sessions/${sessionId}/automation-owner`, demo);
    });

    it('pages through files oldest first', async () => {
      for (let i = 0; i < 3; i++) expect((await put(randomUUID(), `file ${i}`)).status).toBe(201);
      const all = (await api().get(`/api/v1/sessions/${sessionId}/files?limit=500`, demo)).body
        .files as Array<{ id: string }>;
      expect(all).toHaveLength(6);
      const first = await api().get(`/api/v1/sessions/${sessionId}/files?limit=2`, demo);
      expect(first.body.files.map((f: { id: string }) => f.id)).toEqual(
        all.slice(0, 2).map((f) => f.id),
      );
      const second = await api().get(
        `/api/v1/sessions/${sessionId}/files?limit=2&cursor=${first.body.next_cursor}`,
        demo,
      );
      expect(second.body.files.map((f: { id: string }) => f.id)).toEqual(
        all.slice(2, 4).map((f) => f.id),
      );
      const third = await api().get(
        `/api/v1/sessions/${sessionId}/files?limit=2&cursor=${second.body.next_cursor}`,
        demo,
      );
      expect(third.body.files.map((f: { id: string }) => f.id)).toEqual(
        all.slice(4, 6).map((f) => f.id),
      );
      expect(third.body.next_cursor).toBeNull();
    });

    it('refuses what a host must not record', async () => {
      const before = (await api().get(`/api/v1/sessions/${sessionId}/files?limit=500`, demo)).body
        .files.length;
      const id = randomUUID();
      // content that does not match its digest
      const wrong = await put(id, 'tampered', { 'x-file-sha256': sha256('original') });
      expect(wrong.status).toBe(400);
      expect(wrong.body.code).toBe('validation_failed');
      // a path for a name
      expect((await put(id, 'x', { 'x-file-name': '..%2Fetc%2Fpasswd' })).status).toBe(400);
      expect((await put(id, 'x', { 'x-file-name': '%E0%A4%A' })).status).toBe(400);
      expect((await put(id, 'x', { 'x-file-sha256': 'abc' })).status).toBe(400);
      // another host, another session, a user
      expect((await put(id, 'x', {}, other)).status).toBe(404);
      expect((await put(id, 'x', {}, host, randomUUID())).status).toBe(404);
      const asUser = await api().request(
        'PUT',
        `/api/v1/hosts/${host.id}/sessions/${sessionId}/files/${id}`,
        { token: demo, raw: 'x', headers: { 'x-file-name': 'a', 'x-file-sha256': sha256('x') } },
      );
      expect(asUser.status).toBe(401);
      // too large, refused before a byte of the body is read
      const big = await rawRequest(
        `${stack.edge.url}/api/v1/hosts/${host.id}/sessions/${sessionId}/files/${id}`,
        {
          authorization: `Bearer ${host.credential}`,
          'content-length': String(600 * 1024 * 1024),
          'x-file-name': 'big.bin',
          'x-file-sha256': sha256('x'),
        },
        undefined,
      );
      expect(big.status).toBe(413);
      // Over the worker's drain limit (100 MiB) but within a file's: the local front passes it to
      // the route (which refuses the bad digest on its headers), where any other route's body of
      // that size is answered by the front itself.
      const declared = String(150 * 1024 * 1024);
      const passed = await rawRequest(
        `${stack.edge.url}/api/v1/hosts/${host.id}/sessions/${sessionId}/files/${id}`,
        {
          authorization: `Bearer ${host.credential}`,
          'content-length': declared,
          'x-file-name': 'big.bin',
          'x-file-sha256': 'abc',
        },
        undefined,
      );
      expect(passed).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      const elsewhere = await rawRequest(
        `${stack.edge.url}/api/v1/sessions`,
        { authorization: `Bearer ${demo}`, 'content-length': declared },
        undefined,
        'POST',
      );
      expect(elsewhere).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
      // no length
      const chunked = await rawRequest(
        `${stack.edge.url}/api/v1/hosts/${host.id}/sessions/${sessionId}/files/${id}`,
        {
          authorization: `Bearer ${host.credential}`,
          'transfer-encoding': 'chunked',
          'x-file-name': 'a.txt',
          'x-file-sha256': sha256('x'),
        },
        new TextEncoder().encode('x'),
      );
      expect(chunked.status).toBe(400);
      const after = (await api().get(`/api/v1/sessions/${sessionId}/files?limit=500`, demo)).body
        .files.length;
      expect(after).toBe(before);
      expect((await api().get(`/api/v1/sessions/${sessionId}/files/${id}`, demo)).status).toBe(404);
    });
  });
}
