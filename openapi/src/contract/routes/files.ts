/** Files a session produced: read by its owner and delegates, recorded by its host. */
import { route } from '../route.ts';
import { SessionIdParams } from '../schemas/common.ts';
import {
  HostSessionFileParams,
  ListSessionFilesQuery,
  SESSION_FILE_MAX_BYTES,
  SessionFile,
  SessionFileList,
  SessionFileParams,
} from '../schemas/files.ts';

const tag = 'sessions';
const read = [
  'invalid_id',
  'unauthorized',
  'invalid_token',
  'session_not_found',
  'not_found',
] as const;

export const listSessionFiles = route({
  operationId: 'listSessionFiles',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/files',
  tag,
  summary: 'Files the session produced',
  description:
    "Files the session's browser downloaded (streamed to the participants and recorded by its host), oldest first. Readable by the owner and the automation delegates, and by a workflow worker only for the session of a run it executes now (it shows that attempt's lease in `x-bpane-run-lease`; otherwise 404).",
  auth: 'bearer',
  params: SessionIdParams,
  query: ListSessionFilesQuery,
  responses: { 200: { description: 'One page of files.', schema: SessionFileList } },
  errors: [...read, 'validation_failed'],
});

export const getSessionFile = route({
  operationId: 'getSessionFile',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/files/{file_id}',
  tag,
  summary: "A session file's metadata",
  auth: 'bearer',
  params: SessionFileParams,
  responses: { 200: { description: 'The file.', schema: SessionFile } },
  errors: read,
});

export const getSessionFileContent = route({
  operationId: 'getSessionFileContent',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/files/{file_id}/content',
  tag,
  summary: "A session file's bytes",
  description:
    "The content, with the file's MIME type, as an attachment (`content-disposition`), never rendered on the edge's origin (`x-content-type-options: nosniff`, a sandboxing CSP). The `etag` is the SHA-256.",
  auth: 'bearer',
  params: SessionFileParams,
  responses: { 200: { description: "The file's bytes.", contentType: '*/*' } },
  errors: read,
});

export const hostRecordSessionFile = route({
  operationId: 'hostRecordSessionFile',
  method: 'put',
  path: '/api/v1/hosts/{host_id}/sessions/{session_id}/files/{file_id}',
  tag: 'hosts',
  summary: 'Record a file a session produced',
  description: `The host streams a file one of its sessions produced (a download) with \`content-length\`, \`x-file-name\` (percent-encoded UTF-8, a bare name of 1…255 bytes) and \`x-file-sha256\`; the content goes to the artifact store, which checks length and digest. The host chooses the file id, so a retry is the same record (200 instead of 201). Only for sessions placed on this host now or last; at most ${SESSION_FILE_MAX_BYTES / 1024 / 1024} MiB.`,
  auth: 'host_credential',
  params: HostSessionFileParams,
  body: {
    raw: true,
    contentType: '*/*',
    description: "The content; `content-type` is the file's MIME type.",
  },
  responses: {
    200: { description: 'The record existed and was replaced.', schema: SessionFile },
    201: { description: 'The file is recorded.', schema: SessionFile },
  },
  errors: [
    'invalid_id',
    'validation_failed',
    'host_unauthorized',
    'session_not_found',
    'payload_too_large',
  ],
});
