/** Workflow runs: start, read, control, hand-off to a person, logs, events, produced files. */
import { route } from '../route.ts';
import {
  AppendLogRequest,
  CreateRunRequest,
  ListRunsQuery,
  ProducedFile,
  ProducedFileList,
  RejectRequest,
  ResumeRequest,
  RunEventPage,
  RunEventQuery,
  RunFileParams,
  RunIdParams,
  RunLogLine,
  RunLogPage,
  RunLogQuery,
  SubmitInputRequest,
  WorkflowRun,
  WorkflowRunList,
} from '../schemas/workflow-runs.ts';
import { BEARER_ERRORS as auth, BODY_ERRORS as body } from './shared-errors.ts';

const tag = 'workflow runs';
const read = ['invalid_id', ...auth, 'workflow_run_not_found'] as const;
const READERS = "The run's owner, or the workflow worker's service principal.";

export const createWorkflowRun = route({
  operationId: 'createWorkflowRun',
  method: 'post',
  path: '/api/v1/workflow-runs',
  tag,
  summary: 'Start a run',
  description:
    "Runs a version against a session (an existing one the caller owns, or a new one). An existing session that has ended (`stopping`, `stopped`, `failed`) is refused with 409 `session_stopped`: the run is not created and is granted no credentials or files (restart the session first). The run is `pending` and handed to a workflow worker in the same transaction (graphile-worker's `add_job`), or `queued` with an `admission` block when the pool (`WORKFLOW_MAX_ACTIVE_RUNS`) or the owner's quota (`WORKFLOW_MAX_ACTIVE_RUNS_PER_OWNER`) is full; queued runs start in order as capacity frees. With a `client_request_id`, a retry with the same body answers the same run (200), with another body 409 `idempotency_conflict`.",
  auth: 'bearer',
  body: { schema: CreateRunRequest, required: true, limit: 320 * 1024 },
  responses: {
    200: { description: 'The run this `client_request_id` started before.', schema: WorkflowRun },
    201: { description: 'The new run.', schema: WorkflowRun },
  },
  errors: [
    ...auth,
    ...body,
    'workflow_not_found',
    'workflow_version_not_found',
    'workflow_version_not_runnable',
    'source_not_ready',
    'input_invalid',
    'session_not_found',
    'session_stopped',
    'idempotency_conflict',
    'credential_binding_not_found',
    'credential_binding_not_allowed',
    'extension_not_found',
    'extension_not_approved',
    'extension_not_allowed',
    'file_workspace_not_found',
    'workspace_file_not_found',
    'file_binding_conflict',
  ],
});

export const listWorkflowRuns = route({
  operationId: 'listWorkflowRuns',
  method: 'get',
  path: '/api/v1/workflow-runs',
  tag,
  summary: "The caller's runs",
  description: 'Newest first; filter by `state` and `workflow_id`; page with `cursor`.',
  auth: 'bearer',
  query: ListRunsQuery,
  responses: { 200: { description: 'One page of runs.', schema: WorkflowRunList } },
  errors: [...auth, 'validation_failed'],
});

export const getWorkflowRun = route({
  operationId: 'getWorkflowRun',
  method: 'get',
  path: '/api/v1/workflow-runs/{run_id}',
  tag,
  summary: 'A run',
  description: READERS,
  auth: 'bearer',
  params: RunIdParams,
  responses: { 200: { description: 'The run.', schema: WorkflowRun } },
  errors: read,
});

const control = (operationId: string, path: string, summary: string, description: string) =>
  ({
    operationId,
    method: 'post',
    path: `/api/v1/workflow-runs/{run_id}/${path}`,
    tag,
    summary,
    description,
    auth: 'bearer',
    params: RunIdParams,
    responses: { 200: { description: 'The run after the change.', schema: WorkflowRun } },
  }) as const;

export const cancelWorkflowRun = route({
  ...control(
    'cancelWorkflowRun',
    'cancel',
    'Cancel a run',
    'A queued, pending or paused run is `cancelled` at once; a starting or running one as soon as its worker has stopped the entrypoint (at most a few seconds; `reason` `cancel_requested` meanwhile). 409 `run_state_conflict` once it has ended.',
  ),
  errors: [...read, 'run_state_conflict'],
});

export const submitWorkflowRunInput = route({
  ...control(
    'submitWorkflowRunInput',
    'submit-input',
    'Answer a paused run',
    "For a run in `awaiting_input`: the answer goes to the entrypoint's `requestInput` (it must satisfy the request's `input_schema`) and the run goes on.",
  ),
  body: { schema: SubmitInputRequest, required: true, limit: 320 * 1024 },
  errors: [...read, ...body, 'run_state_conflict', 'input_invalid'],
});

export const resumeWorkflowRun = route({
  ...control(
    'resumeWorkflowRun',
    'resume',
    'Resume a paused run',
    'For a run in `awaiting_input`, without an answer (its `requestInput` returns null): e.g. after a person fixed things in the live view.',
  ),
  body: { schema: ResumeRequest, required: false },
  errors: [...read, ...body, 'run_state_conflict'],
});

export const rejectWorkflowRun = route({
  ...control(
    'rejectWorkflowRun',
    'reject',
    'Refuse a paused run',
    'For a run in `awaiting_input`: the run fails with reason `rejected`.',
  ),
  body: { schema: RejectRequest, required: true },
  errors: [...read, ...body, 'run_state_conflict'],
});

export const getWorkflowRunEvents = route({
  operationId: 'getWorkflowRunEvents',
  method: 'get',
  path: '/api/v1/workflow-runs/{run_id}/events',
  tag,
  summary: "A run's events",
  description: `Oldest first, paged with \`after\` (and followed with \`wait_sec\`). Types \`workflow_run.<what>\`. ${READERS}`,
  auth: 'bearer',
  params: RunIdParams,
  query: RunEventQuery,
  responses: { 200: { description: 'One page of events.', schema: RunEventPage } },
  errors: [...read, 'validation_failed'],
});

export const getWorkflowRunLogs = route({
  operationId: 'getWorkflowRunLogs',
  method: 'get',
  path: '/api/v1/workflow-runs/{run_id}/logs',
  tag,
  summary: "A run's log",
  description: `Oldest first, paged with \`after\`; \`wait_sec\` follows the log (long poll). ${READERS}`,
  auth: 'bearer',
  params: RunIdParams,
  query: RunLogQuery,
  responses: { 200: { description: 'One page of log lines.', schema: RunLogPage } },
  errors: [...read, 'validation_failed'],
});

export const appendWorkflowRunLog = route({
  operationId: 'appendWorkflowRunLog',
  method: 'post',
  path: '/api/v1/workflow-runs/{run_id}/logs',
  tag,
  summary: "Append to a run's log",
  description: `${READERS} Refused once the run has ended.`,
  auth: 'bearer',
  params: RunIdParams,
  body: { schema: AppendLogRequest, required: true, limit: 256 * 1024 },
  responses: {
    200: { description: 'The stored line (with `lines`: the last one).', schema: RunLogLine },
  },
  errors: [...read, ...body, 'run_state_conflict'],
});

export const listWorkflowRunProducedFiles = route({
  operationId: 'listWorkflowRunProducedFiles',
  method: 'get',
  path: '/api/v1/workflow-runs/{run_id}/produced-files',
  tag,
  summary: 'Files a run produced',
  description: `Downloads its page made and files its code wrote, oldest first. ${READERS}`,
  auth: 'bearer',
  params: RunIdParams,
  responses: { 200: { description: 'The files.', schema: ProducedFileList } },
  errors: read,
});

export const uploadWorkflowRunProducedFile = route({
  operationId: 'uploadWorkflowRunProducedFile',
  method: 'post',
  path: '/api/v1/workflow-runs/{run_id}/produced-files',
  tag,
  summary: 'Store a produced file',
  description:
    "The workflow worker (or the run's owner) stores a file with `content-length`, `x-bpane-file-name` (a bare name, percent-encoded UTF-8) and optionally `x-bpane-file-sha256` (checked), `x-bpane-file-provenance` (a JSON object) and `x-bpane-workflow-workspace-id` (the run's output workspace; the only one a run may write to for now). At most 512 MiB.",
  auth: 'bearer',
  params: RunIdParams,
  body: {
    raw: true,
    contentType: '*/*',
    description: "The file's bytes; `content-type` is its media type.",
  },
  responses: { 201: { description: 'The stored file.', schema: ProducedFile } },
  errors: [
    ...read,
    'validation_failed',
    'payload_too_large',
    'run_state_conflict',
    'artifact_store_unavailable',
  ],
});

export const getWorkflowRunProducedFileContent = route({
  operationId: 'getWorkflowRunProducedFileContent',
  method: 'get',
  path: '/api/v1/workflow-runs/{run_id}/produced-files/{file_id}/content',
  tag,
  summary: "A produced file's bytes",
  description: `As an attachment with its media type, byte ranges supported; the \`etag\` is its SHA-256. ${READERS}`,
  auth: 'bearer',
  params: RunFileParams,
  responses: {
    200: { description: "The file's bytes.", contentType: '*/*' },
    206: { description: 'The requested byte range.', contentType: '*/*' },
  },
  errors: [
    ...read,
    'produced_file_not_found',
    'range_not_satisfiable',
    'artifact_store_unavailable',
  ],
});

export const getWorkflowRunSourceSnapshotContent = route({
  operationId: 'getWorkflowRunSourceSnapshotContent',
  method: 'get',
  path: '/api/v1/workflow-runs/{run_id}/source-snapshot/content',
  tag,
  summary: "The run's pinned source",
  description: `A gzipped tar of the version's snapshot (what the worker runs). ${READERS}`,
  auth: 'bearer',
  params: RunIdParams,
  responses: { 200: { description: 'The snapshot.', contentType: 'application/gzip' } },
  errors: [...read, 'artifact_store_unavailable'],
});
