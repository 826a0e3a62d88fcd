/** Malformed requests to the extension routes, in the bad-input table's shape. */
import { EXTENSION_LIMITS, writeZip } from '@browserpane/api/extension-archive';
import { FILE_ID } from './session-file-cases.ts';

const EXTENSIONS = '/api/v1/extensions';

/** Bad ids in every extension route's path parameters. */
export function extensionIdTemplates(hostId: string, sessionId: string) {
  return [
    ['GET', `${EXTENSIONS}/{id}`, 'user'],
    ['DELETE', `${EXTENSIONS}/{id}`, 'user'],
    ['POST', `${EXTENSIONS}/{id}/approve`, 'user'],
    ['POST', `${EXTENSIONS}/{id}/refuse`, 'user'],
    ['GET', `/api/v1/hosts/${hostId}/sessions/${sessionId}/extensions/{id}/content`, 'host'],
    ['GET', `/api/v1/hosts/${hostId}/sessions/{id}/extensions/${FILE_ID}/content`, 'host'],
  ] as const;
}

/** Each route's own refusals, each a clear 4xx code. */
export async function extensionCases(hostId: string, sessionId: string) {
  const upload = (
    name: string,
    raw: string | Uint8Array,
    code: string,
    contentType = 'application/zip',
    token: string | null = 'user',
  ) => ({
    name: `extension upload: ${name}`,
    method: 'POST',
    path: EXTENSIONS,
    token,
    raw,
    contentType,
    code,
  });
  const manifest = (m: unknown) => writeZip([{ name: 'manifest.json', data: JSON.stringify(m) }]);
  const session = (name: string, extension_ids: unknown, code: string) => ({
    name: `session with extensions: ${name}`,
    method: 'POST',
    path: '/api/v1/sessions',
    token: 'user',
    body: { extension_ids },
    code,
  });
  return [
    upload('anonymous', 'x', 'unauthorized', 'application/zip', null),
    upload('JSON instead of a ZIP', '{"name":"x"}', 'unsupported_media_type', 'application/json'),
    upload('no content type', 'x', 'unsupported_media_type', ''),
    upload('empty body', '', 'extension_archive_invalid'),
    upload('garbage', 'PK\u0003\u0004 not really a zip', 'extension_archive_invalid'),
    upload(
      'traversal',
      await writeZip([{ name: '../../x', data: 'x' }]),
      'extension_archive_invalid',
    ),
    upload(
      'symlink',
      await writeZip([{ name: 'l', data: '/', mode: 0o120777 }]),
      'extension_archive_invalid',
    ),
    upload('manifest not an object', await manifest(7), 'extension_manifest_invalid'),
    upload(
      'manifest version as a string',
      await manifest({ manifest_version: '3', name: 'a', version: '1' }),
      'extension_manifest_invalid',
    ),
    upload(
      'name not a string',
      await manifest({ manifest_version: 3, name: ['a'], version: '1' }),
      'extension_manifest_invalid',
    ),
    upload(
      'version with letters',
      await manifest({ manifest_version: 3, name: 'a', version: '1.0-beta' }),
      'extension_manifest_invalid',
    ),
    upload(
      'content_scripts not an array',
      await manifest({ manifest_version: 3, name: 'a', version: '1', content_scripts: {} }),
      'extension_manifest_invalid',
    ),
    upload(
      'over the size limit',
      new Uint8Array(EXTENSION_LIMITS.maxArchiveBytes + 1),
      'payload_too_large',
    ),
    {
      name: 'extension list with a query parameter',
      method: 'GET',
      path: `${EXTENSIONS}?state=approved`,
      token: 'user',
      code: 'validation_failed',
    },
    {
      name: 'extension upload with a query parameter',
      method: 'POST',
      path: `${EXTENSIONS}?label=a`,
      token: 'user',
      raw: 'x',
      contentType: 'application/zip',
      code: 'validation_failed',
    },
    {
      name: 'extension archive without a host credential',
      method: 'GET',
      path: `/api/v1/hosts/${hostId}/sessions/${sessionId}/extensions/${FILE_ID}/content`,
      token: null,
      status: 401,
    },
    {
      name: 'extension archive of an extension the session does not use',
      method: 'GET',
      path: `/api/v1/hosts/${hostId}/sessions/${sessionId}/extensions/${FILE_ID}/content`,
      token: 'host',
      code: 'extension_not_found',
    },
    session('ids not an array', 'x', 'validation_failed'),
    session('id not a UUID', ['nope'], 'validation_failed'),
    session('repeated id', [FILE_ID, FILE_ID], 'validation_failed'),
    session(
      'too many ids',
      Array.from(
        { length: 17 },
        (_, i) => `01936b2a-0000-7000-8000-${String(i).padStart(12, '0')}`,
      ),
      'validation_failed',
    ),
    session('unknown extension', [FILE_ID], 'extension_not_found'),
  ];
}
