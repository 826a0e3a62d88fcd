import { createHash } from 'node:crypto';

/** A file id that exists nowhere (well-formed). */
export const FILE_ID = '7d444840-9dc0-4c2d-a6c8-2d5a1f3c0e11';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Malformed requests to the session files routes, in the bad-input table's shape: `s` is the
 * session's path, `put` the host route of a file of that session.
 */
export function sessionFileCases(s: string, put: string) {
  const host = (name: string, headers: Record<string, string>, raw = 'x', status = 400) => ({
    name: `PUT session file: ${name}`,
    method: 'PUT',
    path: put,
    token: 'host',
    raw,
    contentType: headers['content-type'] ?? 'text/plain',
    headers,
    status,
  });
  const ok = { 'x-file-name': 'a.txt', 'x-file-sha256': sha('x') };
  return [
    {
      name: 'files: limit 0',
      method: 'GET',
      path: `${s}/files?limit=0`,
      token: 'user',
      code: 'validation_failed',
    },
    {
      name: 'files: limit lots',
      method: 'GET',
      path: `${s}/files?limit=lots`,
      token: 'user',
      code: 'validation_failed',
    },
    {
      name: 'files: limit huge',
      method: 'GET',
      path: `${s}/files?limit=99999999999`,
      token: 'user',
      code: 'validation_failed',
    },
    {
      name: 'files: garbage cursor',
      method: 'GET',
      path: `${s}/files?cursor=zzz`,
      token: 'user',
      code: 'validation_failed',
    },
    {
      name: 'files: cursor of no file',
      method: 'GET',
      path: `${s}/files?cursor=${FILE_ID}`,
      token: 'user',
      code: 'validation_failed',
    },
    {
      name: 'files: unknown query',
      method: 'GET',
      path: `${s}/files?sort=name`,
      token: 'user',
      code: 'validation_failed',
    },
    {
      name: 'files: no token',
      method: 'GET',
      path: `${s}/files`,
      token: null,
      code: 'unauthorized',
    },
    {
      name: 'file: unknown id',
      method: 'GET',
      path: `${s}/files/${FILE_ID}`,
      token: 'user',
      code: 'not_found',
    },
    {
      name: 'file content: unknown id',
      method: 'GET',
      path: `${s}/files/${FILE_ID}/content`,
      token: 'user',
      code: 'not_found',
    },
    {
      name: 'file content: host token',
      method: 'GET',
      path: `${s}/files/${FILE_ID}/content`,
      token: 'host',
      code: 'invalid_token',
    },
    { ...host('user token', ok), token: 'user', status: 401 },
    { ...host('no token', ok), token: null, status: 401 },
    host('no name', { 'x-file-sha256': sha('x') }),
    host('path as name', { ...ok, 'x-file-name': '..%2F..%2Fetc%2Fpasswd' }),
    host('dot-dot name', { ...ok, 'x-file-name': '..' }),
    host('control character in name', { ...ok, 'x-file-name': 'a%0Ab' }),
    host('bad percent-encoding', { ...ok, 'x-file-name': '%E0%A4%A' }),
    host('over-long name', { ...ok, 'x-file-name': 'n'.repeat(300) }),
    host('no digest', { 'x-file-name': 'a.txt' }),
    // 400 when the session is on this host (the store checks the digest), else 404
    { ...host('digest of other bytes', { ...ok, 'x-file-sha256': sha('y') }), status: undefined },
    host('upper-case digest', { ...ok, 'x-file-sha256': sha('x').toUpperCase() }),
  ];
}
