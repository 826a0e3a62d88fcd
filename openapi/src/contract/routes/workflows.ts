/** Workflow definitions and their immutable versions (owner-scoped). */
import { route } from '../route.ts';
import {
  CreateVersionRequest,
  CreateWorkflowRequest,
  WorkflowDefinition,
  WorkflowDefinitionList,
  WorkflowIdParams,
  WorkflowVersion,
  WorkflowVersionList,
  WorkflowVersionParams,
} from '../schemas/workflows.ts';
import { BEARER_ERRORS as auth, BODY_ERRORS as body } from './shared-errors.ts';

const tag = 'workflows';

export const createWorkflowDefinition = route({
  operationId: 'createWorkflowDefinition',
  method: 'post',
  path: '/api/v1/workflows',
  tag,
  summary: 'Create a workflow definition',
  description: 'A named container of versions, owned by the caller. Names need not be unique.',
  auth: 'bearer',
  body: { schema: CreateWorkflowRequest, required: true },
  responses: { 201: { description: 'The definition.', schema: WorkflowDefinition } },
  errors: [...auth, ...body],
});

export const listWorkflowDefinitions = route({
  operationId: 'listWorkflowDefinitions',
  method: 'get',
  path: '/api/v1/workflows',
  tag,
  summary: "The caller's workflow definitions",
  description: 'Newest first.',
  auth: 'bearer',
  responses: { 200: { description: 'The definitions.', schema: WorkflowDefinitionList } },
  errors: [...auth, 'validation_failed'],
});

export const getWorkflowDefinition = route({
  operationId: 'getWorkflowDefinition',
  method: 'get',
  path: '/api/v1/workflows/{workflow_id}',
  tag,
  summary: 'A workflow definition',
  auth: 'bearer',
  params: WorkflowIdParams,
  responses: { 200: { description: 'The definition.', schema: WorkflowDefinition } },
  errors: ['invalid_id', ...auth, 'workflow_not_found'],
});

export const createWorkflowDefinitionVersion = route({
  operationId: 'createWorkflowDefinitionVersion',
  method: 'post',
  path: '/api/v1/workflows/{workflow_id}/versions',
  tag,
  summary: 'Publish an immutable version',
  description:
    "Pins the source: a git source's ref is resolved to a commit by a workflow worker (git with prompts off and a protocol allow-list) while the request waits, and a snapshot of that commit (or of the inline files) is stored once in the artifact store; runs only ever read the snapshot. The same `version` with the same body answers the existing version (200); another body is `workflow_version_exists`. A ref that does not exist is `git_ref_not_found` (422), a repository git cannot reach `git_unreachable` (502), a snapshot without the entrypoint or over the limits (1,024 files, 10 MiB a file, 50 MiB in all) `source_invalid` (422); no worker answering within 60 s is `workflow_worker_unavailable` (503; the same request later picks up the result). Each of `allowed_extension_ids` must be an approved extension of the caller (`extension_not_found`, `extension_not_approved`); a run's new session loads them unless its `create_session.extension_ids` names a subset.",
  auth: 'bearer',
  params: WorkflowIdParams,
  body: { schema: CreateVersionRequest, required: true, limit: 1024 * 1024 },
  responses: {
    200: {
      description: 'This version was published before with the same body.',
      schema: WorkflowVersion,
    },
    201: { description: 'The version.', schema: WorkflowVersion },
  },
  errors: [
    'invalid_id',
    ...auth,
    ...body,
    'workflow_not_found',
    'workflow_version_exists',
    'git_url_forbidden',
    'git_ref_not_found',
    'source_invalid',
    'git_unreachable',
    'workflow_worker_unavailable',
    'artifact_store_unavailable',
    'extension_not_found',
    'extension_not_approved',
  ],
});

export const listWorkflowDefinitionVersions = route({
  operationId: 'listWorkflowDefinitionVersions',
  method: 'get',
  path: '/api/v1/workflows/{workflow_id}/versions',
  tag,
  summary: "A definition's versions",
  description: 'Newest first.',
  auth: 'bearer',
  params: WorkflowIdParams,
  responses: { 200: { description: 'The versions.', schema: WorkflowVersionList } },
  errors: ['invalid_id', ...auth, 'workflow_not_found'],
});

export const getWorkflowDefinitionVersion = route({
  operationId: 'getWorkflowDefinitionVersion',
  method: 'get',
  path: '/api/v1/workflows/{workflow_id}/versions/{version}',
  tag,
  summary: 'One version, by its version string',
  auth: 'bearer',
  params: WorkflowVersionParams,
  responses: { 200: { description: 'The version.', schema: WorkflowVersion } },
  errors: ['invalid_id', ...auth, 'workflow_not_found', 'workflow_version_not_found'],
});
