/**
 * Approved extensions (owner-scoped): upload an unpacked Chromium extension as a ZIP, approve or
 * refuse it, list, read, delete; and the host's download of an extension a session it runs uses.
 */

import { EXTENSION_LIMITS } from '../../extension-archive/manifest.ts';
import { z } from '../fields.ts';
import { route } from '../route.ts';
import {
  Extension,
  ExtensionList,
  ExtensionParams,
  HostSessionExtensionParams,
} from '../schemas/extensions.ts';
import { BEARER_ERRORS as auth } from './shared-errors.ts';

const tag = 'extensions';
const MIB = 1024 * 1024;

export const uploadExtension = route({
  operationId: 'uploadExtension',
  method: 'post',
  path: '/api/v1/extensions',
  tag,
  summary: 'Upload an unpacked Chromium extension (ZIP) for approval',
  description: `Ours in place of the reference's JSON create: the body is a ZIP (\`content-type: application/zip\`, at most ${EXTENSION_LIMITS.maxArchiveBytes / MIB} MiB, ${EXTENSION_LIMITS.maxEntries} entries, ${EXTENSION_LIMITS.maxUnpackedBytes / MIB} MiB unpacked) holding \`manifest.json\` at its top or inside its one top folder. Entries that climb out (\`..\`, absolute, backslashes), symbolic links, special files, duplicate names, encryption and ZIP64 are \`extension_archive_invalid\`; a manifest without \`manifest_version\` 3, a \`name\` or a Chromium \`version\`, or naming content scripts or a service worker the archive lacks, is \`extension_manifest_invalid\` (Manifest V2 is refused: Chromium no longer loads it). The archive goes to the artifact store; the extension starts \`pending_approval\`.`,
  auth: 'bearer',
  query: z.strictObject({}),
  body: {
    raw: true,
    contentType: 'application/zip',
    description: 'The ZIP of the unpacked extension.',
  },
  responses: { 201: { description: 'The extension, pending approval.', schema: Extension } },
  errors: [
    ...auth,
    'validation_failed',
    'payload_too_large',
    'unsupported_media_type',
    'extension_archive_invalid',
    'extension_manifest_invalid',
    'artifact_store_unavailable',
  ],
});

export const listExtensions = route({
  operationId: 'listExtensions',
  method: 'get',
  path: '/api/v1/extensions',
  tag,
  summary: "The caller's extensions",
  description: 'Newest first.',
  auth: 'bearer',
  query: z.strictObject({}),
  responses: { 200: { description: 'The extensions.', schema: ExtensionList } },
  errors: [...auth, 'validation_failed'],
});

export const getExtension = route({
  operationId: 'getExtension',
  method: 'get',
  path: '/api/v1/extensions/{extension_id}',
  tag,
  summary: 'An extension',
  auth: 'bearer',
  params: ExtensionParams,
  responses: { 200: { description: 'The extension.', schema: Extension } },
  errors: ['invalid_id', ...auth, 'extension_not_found'],
});

export const approveExtension = route({
  operationId: 'approveExtension',
  method: 'post',
  path: '/api/v1/extensions/{extension_id}/approve',
  tag,
  summary: 'Approve an extension (its owner)',
  description:
    'Ours. `pending_approval` → `approved`; approving an approved extension answers it unchanged; a refused one is `extension_state_conflict`. From now on new sessions (`extension_ids`) and workflow versions (`allowed_extension_ids`) may name it.',
  auth: 'bearer',
  params: ExtensionParams,
  responses: { 200: { description: 'The approved extension.', schema: Extension } },
  errors: ['invalid_id', ...auth, 'extension_not_found', 'extension_state_conflict'],
});

export const refuseExtension = route({
  operationId: 'refuseExtension',
  method: 'post',
  path: '/api/v1/extensions/{extension_id}/refuse',
  tag,
  summary: 'Refuse an extension (its owner)',
  description:
    'Ours. `pending_approval` → `refused` (final); refusing a refused extension answers it unchanged; an approved one is `extension_state_conflict` (delete it instead).',
  auth: 'bearer',
  params: ExtensionParams,
  responses: { 200: { description: 'The refused extension.', schema: Extension } },
  errors: ['invalid_id', ...auth, 'extension_not_found', 'extension_state_conflict'],
});

export const deleteExtension = route({
  operationId: 'deleteExtension',
  method: 'delete',
  path: '/api/v1/extensions/{extension_id}',
  tag,
  summary: 'Delete an extension and its archive',
  description:
    'Ours (the reference has no delete). New sessions can no longer name it; sessions already running keep the copy their host unpacked, and one that restarts on another host starts without it failing (the host records `extension_load_failed`).',
  auth: 'bearer',
  params: ExtensionParams,
  responses: { 200: { description: 'The deleted extension.', schema: Extension } },
  errors: ['invalid_id', ...auth, 'extension_not_found'],
});

export const hostGetSessionExtension = route({
  operationId: 'hostGetSessionExtension',
  method: 'get',
  path: '/api/v1/hosts/{host_id}/sessions/{session_id}/extensions/{extension_id}/content',
  tag: 'hosts',
  summary: "The archive of an extension a host's session loads",
  description:
    'Only for a session placed on this host now or last, and only for an extension that session was created with; anything else is 404. The `etag` is the SHA-256.',
  auth: 'host_credential',
  params: HostSessionExtensionParams,
  responses: { 200: { description: 'The ZIP.', contentType: 'application/zip' } },
  errors: ['invalid_id', 'host_unauthorized', 'session_not_found', 'extension_not_found'],
});
