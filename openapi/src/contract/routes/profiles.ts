/** Portable profiles: a session's host saves and restores its browser profile (host credential). */
import { route } from '../route.ts';
import {
  CommitProfileRequest,
  HostProfileRevisionParams,
  HostSessionProfileParams,
  PROFILE_ARCHIVE_MAX_BYTES,
  SavedProfile,
  SessionProfileAccess,
} from '../schemas/profiles.ts';

const tag = 'hosts';
const hostErrors = [
  'invalid_id',
  'host_unauthorized',
  'session_not_found',
  'credential_key_unavailable',
  'credential_key_mismatch',
] as const;
const MIB = PROFILE_ARCHIVE_MAX_BYTES / 1024 / 1024;

export const hostGetSessionProfile = route({
  operationId: 'hostGetSessionProfile',
  method: 'get',
  path: '/api/v1/hosts/{host_id}/sessions/{session_id}/profile',
  tag,
  summary: "A session's profile key, its saved archive and where to put the next",
  description:
    'For a session placed on this host now or last: the per-session key (created on first use), the last saved archive with where to download it, and a fresh upload target. Presigned URLs where the artifact store signs them, else the edge routes below.',
  auth: 'host_credential',
  params: HostSessionProfileParams,
  responses: { 200: { description: 'The profile access.', schema: SessionProfileAccess } },
  errors: [...hostErrors, 'artifact_store_unavailable'],
});

export const hostPutSessionProfile = route({
  operationId: 'hostPutSessionProfile',
  method: 'put',
  path: '/api/v1/hosts/{host_id}/sessions/{session_id}/profile/revisions/{revision}',
  tag,
  summary: 'Store a profile archive (through the edge)',
  description: `The encrypted archive with \`content-length\` and \`x-content-sha256\`; the store checks both, then the revision becomes the saved one (the one it replaces is deleted). A revision older than the saved one is a 409 \`profile_revision_stale\`. At most ${MIB} MiB.`,
  auth: 'host_credential',
  params: HostProfileRevisionParams,
  body: {
    raw: true,
    contentType: 'application/octet-stream',
    description: 'The encrypted archive.',
  },
  responses: { 201: { description: 'The archive is the saved one.', schema: SavedProfile } },
  errors: [
    ...hostErrors,
    'validation_failed',
    'payload_too_large',
    'profile_revision_stale',
    'artifact_store_unavailable',
  ],
});

export const hostCommitSessionProfile = route({
  operationId: 'hostCommitSessionProfile',
  method: 'post',
  path: '/api/v1/hosts/{host_id}/sessions/{session_id}/profile/revisions/{revision}/commit',
  tag,
  summary: 'Make a presigned upload the saved profile',
  description:
    'After a PUT to a presigned upload URL: the edge checks the stored length, then the revision becomes the saved one.',
  auth: 'host_credential',
  params: HostProfileRevisionParams,
  body: { schema: CommitProfileRequest, required: true },
  responses: { 200: { description: 'The archive is the saved one.', schema: SavedProfile } },
  errors: [
    ...hostErrors,
    'validation_failed',
    'invalid_json',
    'unsupported_media_type',
    'payload_too_large',
    'not_found',
    'profile_revision_stale',
    'artifact_store_unavailable',
  ],
});

export const hostGetSessionProfileContent = route({
  operationId: 'hostGetSessionProfileContent',
  method: 'get',
  path: '/api/v1/hosts/{host_id}/sessions/{session_id}/profile/revisions/{revision}/content',
  tag,
  summary: "A saved profile archive's bytes (through the edge)",
  auth: 'host_credential',
  params: HostProfileRevisionParams,
  responses: {
    200: { description: 'The encrypted archive.', contentType: 'application/octet-stream' },
  },
  errors: [...hostErrors, 'not_found', 'artifact_store_unavailable'],
});
