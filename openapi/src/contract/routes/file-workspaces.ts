/** File workspaces and their files (owner-scoped). */
import { z } from '../fields.ts';
import { route } from '../route.ts';
import {
  CreateFileWorkspaceRequest,
  FileWorkspace,
  FileWorkspaceFile,
  FileWorkspaceFileList,
  FileWorkspaceList,
  WORKSPACE_FILE_MAX_BYTES,
  WorkspaceFileParams,
  WorkspaceParams,
} from '../schemas/file-workspaces.ts';
import { BEARER_ERRORS as auth, BODY_ERRORS as body } from './shared-errors.ts';

const tag = 'file workspaces';
const workspace = ['invalid_id', ...auth, 'file_workspace_not_found'] as const;
const file = [...workspace, 'workspace_file_not_found'] as const;

export const createFileWorkspace = route({
  operationId: 'createFileWorkspace',
  method: 'post',
  path: '/api/v1/file-workspaces',
  tag,
  summary: 'Create a file workspace',
  description:
    'A store of files the owner reuses: inputs bound to sessions (`/sessions/{id}/file-bindings`) or mounted for runs (`workspace_inputs`), and the target of files runs produce (`output_workspace_id`).',
  auth: 'bearer',
  body: { schema: CreateFileWorkspaceRequest, required: true },
  responses: { 201: { description: 'The workspace.', schema: FileWorkspace } },
  errors: [...auth, ...body],
});

export const listFileWorkspaces = route({
  operationId: 'listFileWorkspaces',
  method: 'get',
  path: '/api/v1/file-workspaces',
  tag,
  summary: "The caller's file workspaces",
  description: 'Newest first.',
  auth: 'bearer',
  query: z.strictObject({}),
  responses: { 200: { description: 'The workspaces.', schema: FileWorkspaceList } },
  errors: [...auth, 'validation_failed'],
});

export const getFileWorkspace = route({
  operationId: 'getFileWorkspace',
  method: 'get',
  path: '/api/v1/file-workspaces/{workspace_id}',
  tag,
  summary: 'A file workspace',
  auth: 'bearer',
  params: WorkspaceParams,
  responses: { 200: { description: 'The workspace.', schema: FileWorkspace } },
  errors: workspace,
});

export const deleteFileWorkspace = route({
  operationId: 'deleteFileWorkspace',
  method: 'delete',
  path: '/api/v1/file-workspaces/{workspace_id}',
  tag,
  summary: 'Delete a file workspace and its files',
  description:
    'Ours (the reference has no delete). The stored bytes go too; session bindings of its files keep their metadata and their content answers 410 `workspace_file_gone`.',
  auth: 'bearer',
  params: WorkspaceParams,
  responses: { 200: { description: 'The deleted workspace.', schema: FileWorkspace } },
  errors: [...workspace, 'artifact_store_unavailable'],
});

export const listFileWorkspaceFiles = route({
  operationId: 'listFileWorkspaceFiles',
  method: 'get',
  path: '/api/v1/file-workspaces/{workspace_id}/files',
  tag,
  summary: "A workspace's files",
  description: 'Oldest first.',
  auth: 'bearer',
  params: WorkspaceParams,
  responses: { 200: { description: 'The files.', schema: FileWorkspaceFileList } },
  errors: workspace,
});

export const uploadFileWorkspaceFile = route({
  operationId: 'uploadFileWorkspaceFile',
  method: 'post',
  path: '/api/v1/file-workspaces/{workspace_id}/files',
  tag,
  summary: 'Upload a file into a workspace',
  description: `The bytes with \`content-length\`, \`x-bpane-file-name\` (a bare name of 1…255 bytes, percent-encoded UTF-8), optionally \`x-bpane-file-sha256\` (64 lowercase hex digits: the store checks it) and \`x-bpane-file-provenance\` (a JSON object, at most 4 KiB); \`content-type\` is the media type. The edge computes the SHA-256 (\`sha256_hex\`). At most ${WORKSPACE_FILE_MAX_BYTES / 1024 / 1024} MiB (\`payload_too_large\`). The same name twice makes two files.`,
  auth: 'bearer',
  params: WorkspaceParams,
  body: { raw: true, contentType: '*/*', description: "The file's bytes." },
  responses: { 201: { description: 'The stored file.', schema: FileWorkspaceFile } },
  errors: [...workspace, 'validation_failed', 'payload_too_large', 'artifact_store_unavailable'],
});

export const getFileWorkspaceFile = route({
  operationId: 'getFileWorkspaceFile',
  method: 'get',
  path: '/api/v1/file-workspaces/{workspace_id}/files/{file_id}',
  tag,
  summary: "A workspace file's metadata",
  auth: 'bearer',
  params: WorkspaceFileParams,
  responses: { 200: { description: 'The file.', schema: FileWorkspaceFile } },
  errors: file,
});

export const deleteFileWorkspaceFile = route({
  operationId: 'deleteFileWorkspaceFile',
  method: 'delete',
  path: '/api/v1/file-workspaces/{workspace_id}/files/{file_id}',
  tag,
  summary: 'Delete a workspace file and its bytes',
  auth: 'bearer',
  params: WorkspaceFileParams,
  responses: { 200: { description: 'The deleted file.', schema: FileWorkspaceFile } },
  errors: [...file, 'artifact_store_unavailable'],
});

export const getFileWorkspaceFileContent = route({
  operationId: 'getFileWorkspaceFileContent',
  method: 'get',
  path: '/api/v1/file-workspaces/{workspace_id}/files/{file_id}/content',
  tag,
  summary: "A workspace file's bytes",
  description:
    'As an attachment with its media type; one byte range (`Range: bytes=…`) answers 206, a range past the end 416; the `etag` is its SHA-256 (`If-Range` honoured). 410 `workspace_file_gone` when the bytes are no longer in the store.',
  auth: 'bearer',
  params: WorkspaceFileParams,
  responses: {
    200: { description: "The file's bytes.", contentType: '*/*' },
    206: { description: 'The requested byte range.', contentType: '*/*' },
  },
  errors: [...file, 'workspace_file_gone', 'range_not_satisfiable', 'artifact_store_unavailable'],
});
