/** Malformed requests to the file-workspace and session file-binding routes (bad-input table). */
import { FILE_ID } from './session-file-cases.ts';

const WORKSPACES = '/api/v1/file-workspaces';

/** JSON routes: wrong types, unknown fields (the table adds invalid JSON, oversize, …). */
export function workspaceJsonRoutes(sessionId: string, workspaceId: string) {
  return [
    {
      path: WORKSPACES,
      token: 'user',
      wrongTypes: { name: 5 },
      unknownField: { name: 'x', colour: 'red' },
    },
    {
      path: `/api/v1/sessions/${sessionId}/file-bindings`,
      token: 'user',
      wrongTypes: { workspace_id: workspaceId, file_id: FILE_ID, mount_path: 7 },
      unknownField: {
        workspace_id: workspaceId,
        file_id: FILE_ID,
        mount_path: 'a.txt',
        writable: true,
      },
    },
  ];
}

/** Bad ids in every path parameter of these routes. */
export function workspaceIdTemplates(sessionId: string, workspaceId: string, hostId: string) {
  const b = `/api/v1/sessions/${sessionId}/file-bindings`;
  const hb = `/api/v1/hosts/${hostId}/sessions/${sessionId}/file-bindings`;
  return [
    ['GET', `${WORKSPACES}/{id}`, 'user'],
    ['DELETE', `${WORKSPACES}/{id}`, 'user'],
    ['GET', `${WORKSPACES}/{id}/files`, 'user'],
    ['POST', `${WORKSPACES}/{id}/files`, 'user'],
    ['GET', `${WORKSPACES}/${workspaceId}/files/{id}`, 'user'],
    ['DELETE', `${WORKSPACES}/${workspaceId}/files/{id}`, 'user'],
    ['GET', `${WORKSPACES}/${workspaceId}/files/{id}/content`, 'user'],
    ['GET', '/api/v1/sessions/{id}/file-bindings', 'user'],
    ['POST', '/api/v1/sessions/{id}/file-bindings', 'user'],
    ['GET', `${b}/{id}`, 'user'],
    ['DELETE', `${b}/{id}`, 'user'],
    ['GET', `${b}/{id}/content`, 'user'],
    ['GET', `${hb}/{id}/content`, 'host'],
    ['PUT', `${hb}/{id}/state`, 'host'],
    ['GET', `/api/v1/hosts/${hostId}/sessions/{id}/file-bindings/${FILE_ID}/content`, 'host'],
  ] as const;
}

/** Each route's own refusals, each a clear 4xx code. */
export function workspaceCases(sessionId: string, workspaceId: string, hostId: string) {
  const files = `${WORKSPACES}/${workspaceId}/files`;
  const bindings = `/api/v1/sessions/${sessionId}/file-bindings`;
  const upload = (name: string, headers: Record<string, string>, code: string, raw = 'abc') => ({
    name: `workspace upload: ${name}`,
    method: 'POST',
    path: files,
    token: 'user',
    raw,
    contentType: 'text/plain',
    headers: { 'x-bpane-file-name': 'a.txt', ...headers },
    code,
  });
  const bind = (name: string, body: unknown, code: string) => ({
    name: `file binding: ${name}`,
    method: 'POST',
    path: bindings,
    token: 'user',
    body,
    code,
  });
  const at = (mount_path: unknown) => ({ workspace_id: workspaceId, file_id: FILE_ID, mount_path });
  return [
    {
      name: 'workspace: empty name',
      method: 'POST',
      path: WORKSPACES,
      token: 'user',
      body: { name: '' },
      code: 'validation_failed',
    },
    {
      name: 'workspace: a project id',
      method: 'POST',
      path: WORKSPACES,
      token: 'user',
      body: { name: 'x', project_id: FILE_ID },
      code: 'validation_failed',
    },
    {
      name: 'workspace: anonymous',
      method: 'POST',
      path: WORKSPACES,
      token: null,
      body: { name: 'x' },
      code: 'unauthorized',
    },
    {
      name: 'workspace: list with a query',
      method: 'GET',
      path: `${WORKSPACES}?limit=5`,
      token: 'user',
      code: 'validation_failed',
    },
    upload('no file name', { 'x-bpane-file-name': '' }, 'validation_failed'),
    upload('a path as file name', { 'x-bpane-file-name': 'a%2Fb.txt' }, 'validation_failed'),
    upload('a dot name', { 'x-bpane-file-name': '..' }, 'validation_failed'),
    upload('bad percent-encoding', { 'x-bpane-file-name': '%E0%A4%A' }, 'validation_failed'),
    upload('a control character', { 'x-bpane-file-name': 'a%0Ab' }, 'validation_failed'),
    upload('a bad sha256', { 'x-bpane-file-sha256': 'abc' }, 'validation_failed'),
    upload('a wrong sha256', { 'x-bpane-file-sha256': '0'.repeat(64) }, 'validation_failed'),
    upload('provenance not JSON', { 'x-bpane-file-provenance': '{a' }, 'validation_failed'),
    upload('provenance an array', { 'x-bpane-file-provenance': '%5B1%5D' }, 'validation_failed'),
    {
      ...upload('anonymous', {}, 'unauthorized'),
      token: null,
    },
    {
      name: 'workspace content: a range past the end',
      method: 'GET',
      path: `${files}/${FILE_ID}/content`,
      token: 'user',
      headers: { range: 'bytes=10-' },
      code: 'workspace_file_not_found',
    },
    bind('a parent segment', at('../x.txt'), 'validation_failed'),
    bind('an absolute path', at('/etc/passwd'), 'validation_failed'),
    bind('an inner parent segment', at('a/../../b'), 'validation_failed'),
    bind('an empty segment', at('a//b'), 'validation_failed'),
    bind('a dot segment', at('./a'), 'validation_failed'),
    bind('a backslash', at('a\\..\\b'), 'validation_failed'),
    bind('a drive letter', at('C:/x'), 'validation_failed'),
    bind('a control character', at('a\nb'), 'validation_failed'),
    bind('an empty path', at(''), 'validation_failed'),
    bind('a long path', at('a/'.repeat(300)), 'validation_failed'),
    bind('an unknown mode', { ...at('a.txt'), mode: 'exec' }, 'validation_failed'),
    bind('a missing file', at('a.txt'), 'workspace_file_not_found'),
    bind(
      'a missing workspace',
      { workspace_id: FILE_ID, file_id: FILE_ID, mount_path: 'a.txt' },
      'file_workspace_not_found',
    ),
    {
      name: 'file binding: anonymous',
      method: 'POST',
      path: bindings,
      token: null,
      body: at('a.txt'),
      code: 'unauthorized',
    },
    {
      name: 'file binding: unknown binding',
      method: 'GET',
      path: `${bindings}/${FILE_ID}`,
      token: 'user',
      code: 'file_binding_not_found',
    },
    {
      name: 'host binding report: bad state',
      method: 'PUT',
      path: `/api/v1/hosts/${hostId}/sessions/${sessionId}/file-bindings/${FILE_ID}/state`,
      token: 'host',
      body: { state: 'removed' },
      code: 'validation_failed',
    },
    {
      name: 'host binding report: a user token',
      method: 'PUT',
      path: `/api/v1/hosts/${hostId}/sessions/${sessionId}/file-bindings/${FILE_ID}/state`,
      token: 'user',
      body: { state: 'materialized' },
    },
    {
      name: 'host binding content: unknown binding',
      method: 'GET',
      path: `/api/v1/hosts/${hostId}/sessions/${sessionId}/file-bindings/${FILE_ID}/content`,
      token: 'host',
    },
  ];
}
