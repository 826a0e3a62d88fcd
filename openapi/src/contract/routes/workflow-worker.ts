/**
 * The workflow worker's side: take a run (a lease fenced by the attempt), keep it, report its
 * state, get automation access to its session, deliver resolved sources. Only for the service
 * principals named in the edge's `WORKFLOW_WORKER_CLIENT_IDS` (`workflow_worker_required`, 403,
 * for anyone else).
 */
import { route } from '../route.ts';
import { AutomationAccess } from '../schemas/tickets.ts';
import { RunIdParams, WorkflowRun } from '../schemas/workflow-runs.ts';
import {
  ClaimedRun,
  ClaimRunRequest,
  HeartbeatRunRequest,
  RunLease,
  SourceFailureRequest,
  SourceParams,
  SourceResolution,
  TransitionRunRequest,
} from '../schemas/workflow-worker.ts';
import { BEARER_ERRORS, BODY_ERRORS as body } from './shared-errors.ts';

const tag = 'workflow worker';
const auth = [...BEARER_ERRORS, 'workflow_worker_required'] as const;
const run = ['invalid_id', ...auth, 'workflow_run_not_found'] as const;

export const claimWorkflowRun = route({
  operationId: 'claimWorkflowRun',
  method: 'post',
  path: '/api/v1/workflow-runs/{run_id}/claim',
  tag,
  summary: 'Take a run',
  description:
    'A pending run (or one whose previous worker was lost) becomes `starting` under a lease of this attempt. 409 `run_state_conflict` when the run is not to be run now (ended, queued, paused with a live hold), `stale_attempt` when a newer attempt exists.',
  auth: 'bearer',
  params: RunIdParams,
  body: { schema: ClaimRunRequest, required: true },
  responses: { 200: { description: 'The run and what to run.', schema: ClaimedRun } },
  errors: [...run, ...body, 'run_state_conflict', 'stale_attempt'],
});

export const heartbeatWorkflowRun = route({
  operationId: 'heartbeatWorkflowRun',
  method: 'post',
  path: '/api/v1/workflow-runs/{run_id}/heartbeat',
  tag,
  summary: "Renew a run's lease",
  description:
    'Keeps the run from being taken as lost, and tells the worker whether to cancel and whether a paused run was answered.',
  auth: 'bearer',
  params: RunIdParams,
  body: { schema: HeartbeatRunRequest, required: true },
  responses: { 200: { description: 'The run and its lease.', schema: RunLease } },
  errors: [...run, ...body, 'stale_attempt'],
});

export const transitionWorkflowRunState = route({
  operationId: 'transitionWorkflowRunState',
  method: 'post',
  path: '/api/v1/workflow-runs/{run_id}/state',
  tag,
  summary: "Report a run's state",
  description:
    'The executor moves the run: `starting` → `running` → `awaiting_input` (with `data.intervention_request` and `data.runtime_hold`) → `running` → `succeeded` (with `output`) or `failed` (with `error`), `timed_out`, or `cancelled` after a cancel request. Other moves are `run_state_conflict`.',
  auth: 'bearer',
  params: RunIdParams,
  body: { schema: TransitionRunRequest, required: true, limit: 1024 * 1024 },
  responses: { 200: { description: 'The run after the change.', schema: WorkflowRun } },
  errors: [...run, ...body, 'run_state_conflict', 'stale_attempt', 'input_invalid'],
});

export const issueWorkflowRunAutomationAccess = route({
  operationId: 'issueWorkflowRunAutomationAccess',
  method: 'post',
  path: '/api/v1/workflow-runs/{run_id}/automation-access',
  tag,
  summary: "Automation access to the run's session",
  description:
    "While the worker holds the run (it shows this attempt's `lease_token` in `x-bpane-run-lease`; without it, `stale_attempt`): an automation ticket for the run's session on behalf of its owner (`cdp_url` through the host's CDP gateway). A stopped or released session is restarted from its profile; a waiting one answers `session_queued`.",
  auth: 'bearer',
  params: RunIdParams,
  body: { schema: HeartbeatRunRequest, required: true },
  responses: { 200: { description: 'The automation access.', schema: AutomationAccess } },
  errors: [
    ...run,
    ...body,
    'stale_attempt',
    'run_state_conflict',
    'session_queued',
    'session_not_running',
    'session_stopped',
  ],
});

export const storeWorkflowSourceSnapshot = route({
  operationId: 'storeWorkflowSourceSnapshot',
  method: 'put',
  path: '/api/v1/workflow-sources/{version_id}/snapshot',
  tag,
  summary: 'Deliver a resolved source',
  description:
    "The worker that resolved a version's git source sends the snapshot (a gzipped tar) with `content-length`, `x-snapshot-sha256`, `x-snapshot-file-count` and `x-resolved-commit`; it is stored once (content-addressed) and the version becomes ready.",
  auth: 'bearer',
  params: SourceParams,
  body: { raw: true, contentType: 'application/gzip', description: 'The snapshot.' },
  responses: { 200: { description: 'The resolution.', schema: SourceResolution } },
  errors: [
    'invalid_id',
    ...auth,
    'validation_failed',
    'payload_too_large',
    'workflow_version_not_found',
    'run_state_conflict',
    'artifact_store_unavailable',
  ],
});

export const failWorkflowSource = route({
  operationId: 'failWorkflowSource',
  method: 'post',
  path: '/api/v1/workflow-sources/{version_id}/failure',
  tag,
  summary: 'Report that a source cannot be resolved',
  description:
    'The version is withdrawn and the publishing request answers with this code and message.',
  auth: 'bearer',
  params: SourceParams,
  body: { schema: SourceFailureRequest, required: true },
  responses: { 200: { description: 'The resolution.', schema: SourceResolution } },
  errors: ['invalid_id', ...auth, ...body, 'workflow_version_not_found', 'run_state_conflict'],
});
