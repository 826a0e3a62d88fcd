/** Session file bindings: a workspace file placed into a session's files (owner-scoped). */
import { route } from '../route.ts';
import { SessionIdParams } from '../schemas/common.ts';
import {
  CreateSessionFileBindingRequest,
  FileBindingParams,
  HostFileBindingParams,
  HostFileBindingReport,
  SessionFileBinding,
  SessionFileBindingList,
} from '../schemas/file-workspaces.ts';
import { BEARER_ERRORS as auth, BODY_ERRORS as body } from './shared-errors.ts';

const tag = 'sessions';
const session = ['invalid_id', ...auth, 'session_not_found'] as const;
const binding = [...session, 'file_binding_not_found'] as const;

export const createSessionFileBinding = route({
  operationId: 'createSessionFileBinding',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/file-bindings',
  tag,
  summary: 'Bind a workspace file to a session',
  description:
    "Snapshots the workspace file's metadata and asks the session's host to place a copy at `mount_path` in the session's files (the folder its browser's file choosers are served from: a page's `<input type=file>` gets the latest placed file, and workflow code finds it under `files`). `state` is `pending` until the host reports `materialized` (or `failed`). A mount path another active binding of the session uses is `file_binding_conflict`; a workspace or file the caller does not own is `file_workspace_not_found` / `workspace_file_not_found`; an ended session is `session_stopped`.",
  auth: 'bearer',
  params: SessionIdParams,
  body: { schema: CreateSessionFileBindingRequest, required: true },
  responses: { 201: { description: 'The binding.', schema: SessionFileBinding } },
  errors: [
    ...session,
    ...body,
    'file_workspace_not_found',
    'workspace_file_not_found',
    'file_binding_conflict',
    'session_stopped',
  ],
});

export const listSessionFileBindings = route({
  operationId: 'listSessionFileBindings',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/file-bindings',
  tag,
  summary: "A session's file bindings",
  description: 'Oldest first, removed ones included.',
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 200: { description: 'The bindings.', schema: SessionFileBindingList } },
  errors: session,
});

export const getSessionFileBinding = route({
  operationId: 'getSessionFileBinding',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/file-bindings/{binding_id}',
  tag,
  summary: 'A session file binding',
  auth: 'bearer',
  params: FileBindingParams,
  responses: { 200: { description: 'The binding.', schema: SessionFileBinding } },
  errors: binding,
});

export const removeSessionFileBinding = route({
  operationId: 'removeSessionFileBinding',
  method: 'delete',
  path: '/api/v1/sessions/{session_id}/file-bindings/{binding_id}',
  tag,
  summary: 'Remove a session file binding',
  description:
    'Answers the binding in state `removed`; the host takes the placed copy away with its next heartbeat. Removing a removed binding answers it again.',
  auth: 'bearer',
  params: FileBindingParams,
  responses: { 200: { description: 'The removed binding.', schema: SessionFileBinding } },
  errors: binding,
});

export const getSessionFileBindingContent = route({
  operationId: 'getSessionFileBindingContent',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/file-bindings/{binding_id}/content',
  tag,
  summary: "A bound file's bytes",
  description:
    "The workspace file the binding points at (ranges as for workspace files). 410 `workspace_file_gone` once that file, or its content, is gone. Read by the session's owner and automation delegates, and by a workflow worker for a run's workspace input: only while it executes that run, showing the attempt's lease (`x-bpane-run-lease`), and only the bindings made for that run (any other answers 404).",
  auth: 'bearer',
  params: FileBindingParams,
  responses: {
    200: { description: "The file's bytes.", contentType: '*/*' },
    206: { description: 'The requested byte range.', contentType: '*/*' },
  },
  errors: [
    ...binding,
    'workspace_file_gone',
    'range_not_satisfiable',
    'artifact_store_unavailable',
  ],
});

export const hostGetFileBindingContent = route({
  operationId: 'hostGetFileBindingContent',
  method: 'get',
  path: '/api/v1/hosts/{host_id}/sessions/{session_id}/file-bindings/{binding_id}/content',
  tag: 'hosts',
  summary: "A bound file's bytes, for the session's host",
  description: 'Only for a session placed on this host and an active binding.',
  auth: 'host_credential',
  params: HostFileBindingParams,
  responses: { 200: { description: "The file's bytes.", contentType: '*/*' } },
  errors: [
    'invalid_id',
    'host_unauthorized',
    'session_not_found',
    'file_binding_not_found',
    'workspace_file_gone',
    'artifact_store_unavailable',
  ],
});

export const hostReportFileBinding = route({
  operationId: 'hostReportFileBinding',
  method: 'put',
  path: '/api/v1/hosts/{host_id}/sessions/{session_id}/file-bindings/{binding_id}/state',
  tag: 'hosts',
  summary: 'Report whether a binding was placed',
  description:
    'The host reports `materialized` (placed at its mount path) or `failed` with an `error`. A removed binding stays removed.',
  auth: 'host_credential',
  params: HostFileBindingParams,
  body: { schema: HostFileBindingReport, required: true },
  responses: { 200: { description: 'The binding.', schema: SessionFileBinding } },
  errors: [
    'invalid_id',
    'host_unauthorized',
    'session_not_found',
    'file_binding_not_found',
    ...body,
  ],
});
