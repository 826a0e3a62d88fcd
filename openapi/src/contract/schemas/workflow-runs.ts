/**
 * Workflow runs: the reference's v1 run resource member for member (digest §8, §15.10–15.14) and
 * ours beside them (`reason`, attempts, the admission position, the requested input's schema and
 * hold, paged logs and events).
 */
import { count, queryInteger, text, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';
import { Labels } from './common.ts';
import { RunCredentialBinding } from './credentials.ts';
import { MountPath, SessionFileBindingState } from './file-workspaces.ts';
import { ProjectAdmissionDecision, SESSION_STATES } from './session-parts.ts';
import { CreateSessionRequest } from './session-requests.ts';
import { GitSource } from './workflows.ts';

export const RUN_STATES = [
  'pending',
  'queued',
  'starting',
  'running',
  'awaiting_input',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export const TERMINAL_RUN_STATES = ['succeeded', 'failed', 'cancelled', 'timed_out'] as const;

export const RunState = named('WorkflowRunState', z.enum(RUN_STATES));
export const HoldMode = named('WorkflowRunResumeMode', z.enum(['live_runtime', 'profile_restart']));

export const RunIdParams = z.strictObject({ run_id: uuid() });
export const RunFileParams = z.strictObject({ run_id: uuid(), file_id: uuid() });

const correlation = () => text({ max: 512 }).nullable().optional();

export const CreateRunRequest = named(
  'CreateWorkflowRunRequest',
  z.strictObject({
    workflow_id: uuid(),
    version: text({ min: 1, max: 64 }),
    project_id: z.null({ error: 'must be null: projects are not available yet' }).optional(),
    session: z
      .object({
        existing_session_id: uuid().nullable().optional(),
        create_session: CreateSessionRequest.nullable().optional(),
      })
      .nullable()
      .optional()
      .meta({
        description:
          'The browser: a session the caller owns (`existing_session_id`), or a new one (`create_session`, as `POST /api/v1/sessions`). Neither: a new session with the defaults; both: `validation_failed`.',
      }),
    input: z.unknown().optional().meta({
      description:
        "The run's input (any JSON, at most 256 KiB with the rest of the body), checked against the version's `input_schema`.",
    }),
    source_system: correlation(),
    source_reference: correlation(),
    client_request_id: text({ min: 1, max: 255 }).nullable().optional().meta({
      description:
        'Idempotency key (per owner): the same key with the same body answers the existing run (200); with another body, 409 `idempotency_conflict`.',
    }),
    credential_binding_ids: z
      .array(uuid())
      .max(64)
      .refine((list) => new Set(list).size === list.length, { error: 'must not repeat an id' })
      .optional()
      .meta({
        description:
          "Credential bindings the run may use (the caller's own: `credential_binding_not_found` otherwise; within the version's `allowed_credential_binding_ids` when it lists any: `credential_binding_not_allowed` otherwise). Its entrypoint reaches them by name (`credentials.get(name)`, `credentials.fill(name, …)`); only the run's worker resolves the secrets.",
      }),
    output_workspace_id: uuid().optional().meta({
      description:
        "Ours: a file workspace of the caller (`file_workspace_not_found` otherwise; within the version's `allowed_file_workspace_ids` when it lists any: `validation_failed` otherwise) that receives the run's produced files: each one the run stores is also a file of that workspace (`run_id` set), downloadable from it. Without it a run's files go to an output workspace of its own (produced-file routes only).",
    }),
    workspace_inputs: z
      .array(
        z.strictObject({
          workspace_id: uuid(),
          file_id: uuid(),
          mount_path: MountPath.nullable().optional().meta({
            description:
              "Relative to the session's files (default: the file's name); unique among the run's inputs and the session's active bindings.",
          }),
        }),
      )
      .max(32)
      .optional()
      .meta({
        description:
          "Workspace files mounted for the run (the caller's own: `file_workspace_not_found` / `workspace_file_not_found` otherwise; within the version's `allowed_file_workspace_ids` when it lists any: `validation_failed` otherwise). Each becomes a file binding of the run's session: its host places the file at `mount_path` in the session's files, where the page's file chooser gets it; the worker starts the entrypoint once every input is placed. Two inputs at one mount path: `validation_failed`; a path an active binding of an existing session holds: 409 `file_binding_conflict`.",
      }),
    labels: Labels.optional(),
  }),
);

export const InterventionRequest = named(
  'WorkflowRunInterventionRequest',
  z.object({
    request_id: uuid(),
    kind: z.string(),
    prompt: z.string().nullable(),
    details: z.unknown(),
    requested_at: timestamp(),
    input_schema: z.unknown().meta({
      description: 'Ours: the JSON Schema an answer to `submit-input` must satisfy (null: any).',
    }),
    hold: z
      .object({ mode: HoldMode, timeout_sec: z.int().min(1), hold_until: timestamp() })
      .meta({ description: 'Ours: how the browser is held while the run waits, and until when.' }),
  }),
);

export const InterventionResolution = named(
  'WorkflowRunInterventionResolution',
  z.object({
    request_id: uuid().nullable(),
    action: z.enum(['submit_input', 'resume', 'reject']),
    input: z.unknown(),
    reason: z.string().nullable(),
    actor_subject: z.string(),
    actor_issuer: z.string(),
    actor_display_name: z.string().nullable(),
    details: z.unknown(),
    resolved_at: timestamp(),
  }),
);

export const ProducedFile = named(
  'WorkflowRunProducedFile',
  z.object({
    workspace_id: uuid().meta({
      description: "The run's output workspace (ours: every run has one of its own).",
    }),
    file_id: uuid(),
    file_name: z.string(),
    media_type: z.string().nullable(),
    byte_count: count(),
    sha256_hex: z.string(),
    provenance: z.unknown(),
    content_path: z.string(),
    created_at: timestamp(),
  }),
);

/** A workspace file mounted for a run (reference §8.A) and, ours, how far its placement got. */
export const RunWorkspaceInput = named(
  'WorkflowRunWorkspaceInput',
  z.object({
    id: uuid().meta({
      description: "The session file binding that mounts it (ours: the binding's id).",
    }),
    workspace_id: uuid(),
    file_id: uuid(),
    file_name: z.string(),
    media_type: z.string().nullable(),
    byte_count: count(),
    sha256_hex: z.string(),
    provenance: z.unknown(),
    mount_path: z.string(),
    content_path: z.string().meta({
      description: "The binding's content route (the owner downloads the mounted bytes).",
    }),
    state: SessionFileBindingState.meta({
      description: "Ours: the binding's state (`materialized` once the session's host placed it).",
    }),
    error: z.string().nullable(),
  }),
);

export const ProducedFileList = named(
  'WorkflowRunProducedFileList',
  z.object({ files: z.array(ProducedFile) }),
);

const Outcome = z.strictObject({
  category: z.enum([
    'success',
    'validation_failure',
    'policy_denial',
    'business_failure',
    'retryable_technical_failure',
    'permanent_technical_failure',
    'timeout',
    'cancellation',
    'external_intervention_required',
  ]),
  code: z.string().max(128),
  message: z.string().max(512),
  details: z.unknown(),
  retryable: z.boolean(),
  retry_after_seconds: z.int().min(1).nullable(),
  caused_by: z.string().nullable(),
});

export const WorkflowRun = named(
  'WorkflowRun',
  z.object({
    id: uuid(),
    workflow_definition_id: uuid(),
    workflow_definition_version_id: uuid(),
    workflow_version: z.string(),
    project_id: uuid().nullable(),
    project: z
      .object({ id: uuid(), name: z.string(), state: z.enum(['active', 'archived']) })
      .nullable(),
    source_system: z.string().nullable(),
    source_reference: z.string().nullable(),
    client_request_id: z.string().nullable(),
    endpoint_id: uuid().nullable(),
    endpoint_invocation_id: uuid().nullable(),
    endpoint_key: z.string().nullable(),
    outcome: Outcome.nullable(),
    side_effect_state: z.enum(['none', 'confirmed', 'uncertain']).nullable(),
    execution_deadline_at: timestamp().nullable(),
    state: RunState,
    reason: z.string().nullable().meta({
      description:
        'Ours: why the run is in its state (`created`, `workflow_worker_capacity`, `owner_quota`, `input_requested`, `cancel_requested`, `rejected`, `worker_lost`, `intervention_timeout`, `entrypoint_failed`, …).',
    }),
    state_changed_at: timestamp().meta({ description: 'Ours: when `state` last changed.' }),
    session_id: uuid(),
    automation_task_id: uuid().meta({
      description: 'The run executes as one task: the run id (no separate automation tasks).',
    }),
    input: z.unknown(),
    output: z.unknown(),
    error: z.string().nullable(),
    artifact_refs: z.array(z.string()),
    source_snapshot: z
      .object({
        source: GitSource,
        entrypoint: z.string(),
        workspace_id: uuid(),
        file_id: uuid(),
        file_name: z.string(),
        media_type: z.string().nullable(),
        content_path: z.string(),
      })
      .nullable()
      .meta({ description: 'The pinned git source of the run (null for inline sources).' }),
    extensions: z.array(
      z.object({
        extension_id: uuid(),
        extension_version_id: uuid(),
        name: z.string(),
        version: z.string(),
      }),
    ),
    credential_bindings: z.array(RunCredentialBinding),
    workspace_inputs: z.array(RunWorkspaceInput),
    produced_files: z.array(ProducedFile),
    recordings: z.array(z.object({ id: uuid() }).passthrough()),
    retention: z.object({
      logs_expire_at: timestamp().nullable(),
      output_expire_at: timestamp().nullable(),
    }),
    project_admission: ProjectAdmissionDecision,
    admission: z
      .object({
        state: z.literal('queued'),
        reason: z.string(),
        details: z.unknown(),
        queued_at: timestamp(),
        position: z.int().min(1).meta({ description: 'Ours: 1-based place in the queue (FIFO).' }),
      })
      .nullable(),
    intervention: z.object({
      pending_request: InterventionRequest.nullable(),
      last_resolution: InterventionResolution.nullable(),
    }),
    runtime: z
      .object({
        resume_mode: HoldMode,
        exact_runtime_available: z.boolean(),
        hold_until: timestamp().nullable(),
        released_at: timestamp().nullable(),
        release_reason: z.string().nullable(),
        session_state: z.enum(SESSION_STATES).nullable(),
      })
      .nullable(),
    labels: z.record(z.string(), z.string()),
    attempt: count().meta({ description: 'Ours: how many times a worker took the run.' }),
    max_attempts: z.int().min(1),
    executor: z.string().meta({ description: "Ours: the version's executor." }),
    queued_at: timestamp().nullable(),
    started_at: timestamp().nullable(),
    completed_at: timestamp().nullable(),
    events_path: z.string(),
    logs_path: z.string(),
    produced_files_path: z.string().meta({ description: 'Ours.' }),
    live_view_path: z.string().meta({
      description: "Ours: the console page that shows the run's session live (`/?session=<id>`).",
    }),
    created_at: timestamp(),
    updated_at: timestamp(),
  }),
);

export type WorkflowRun = z.output<typeof WorkflowRun>;

export const WorkflowRunList = named(
  'WorkflowRunList',
  z.object({ runs: z.array(WorkflowRun), next_cursor: z.string().nullable() }),
);

export const ListRunsQuery = z.strictObject({
  state: z.enum(RUN_STATES).optional(),
  workflow_id: uuid().optional(),
  limit: queryInteger(1, 500).optional().meta({ description: 'At most this many (default 100).' }),
  cursor: uuid().optional().meta({ description: '`next_cursor` of the previous page.' }),
});

export const SubmitInputRequest = named(
  'SubmitWorkflowRunInputRequest',
  z.strictObject({
    input: z.unknown().refine((v) => v !== undefined, { error: 'is required (it may be null)' }),
    comment: text({ max: 2000 }).nullable().optional(),
    details: z.unknown().optional(),
  }),
);

export const ResumeRequest = named(
  'ResumeWorkflowRunRequest',
  z.strictObject({
    comment: text({ max: 2000 }).nullable().optional(),
    details: z.unknown().optional(),
  }),
);

export const RejectRequest = named(
  'RejectWorkflowRunRequest',
  z.strictObject({ reason: text({ min: 1, max: 2000 }), details: z.unknown().optional() }),
);

export const LOG_STREAMS = ['stdout', 'stderr', 'system'] as const;

export const RunLogLine = named(
  'WorkflowRunLog',
  z.object({
    id: uuid(),
    run_id: uuid(),
    source: z.enum(['run', 'automation_task']),
    automation_task_id: uuid().nullable(),
    stream: z.enum(LOG_STREAMS),
    message: z.string(),
    created_at: timestamp(),
    sequence: z.int().min(1).meta({ description: 'Ours: position in the run log (for `after`).' }),
  }),
);

const PageQuery = {
  after: queryInteger(0, Number.MAX_SAFE_INTEGER).optional().meta({
    description: "Only entries after this `sequence` (the previous page's `next_after`).",
  }),
  limit: queryInteger(1, 5000)
    .optional()
    .meta({ description: 'At most this many (default 1000).' }),
  wait_sec: queryInteger(0, 25).optional().meta({
    description:
      'Follow: when nothing is newer than `after`, wait up to this long for a new entry (or the run to end) before answering.',
  }),
};

export const RunLogQuery = z.strictObject(PageQuery);
export const RunEventQuery = z.strictObject(PageQuery);

const pageMembers = {
  next_after: z.int().min(0).meta({
    description: 'Ours: pass as `after` for the next page (the last `sequence`, or the given one).',
  }),
  run_state: RunState.meta({ description: 'Ours: the run state when the page was read.' }),
};

export const RunLogPage = named(
  'WorkflowRunLogList',
  z.object({ logs: z.array(RunLogLine), ...pageMembers }),
);

const LogEntry = z.strictObject({
  stream: z.enum(LOG_STREAMS),
  message: text({ max: 64 * 1024 }),
});

export const APPEND_LOG_BATCH_MAX = 500;

export const AppendLogRequest = named(
  'AppendWorkflowRunLogRequest',
  z.union([
    LogEntry,
    z.strictObject({
      lines: z.array(LogEntry).min(1).max(APPEND_LOG_BATCH_MAX).meta({
        description: 'Ours: several lines at once, stored in this order.',
      }),
    }),
  ]),
);

export const RunEvent = named(
  'WorkflowRunEvent',
  z.object({
    id: uuid(),
    run_id: uuid(),
    source: z.enum(['run', 'automation_task']),
    automation_task_id: uuid().nullable(),
    event_type: z.string(),
    message: z.string(),
    data: z.unknown(),
    created_at: timestamp(),
    sequence: z.int().min(1),
  }),
);

export const RunEventPage = named(
  'WorkflowRunEventList',
  z.object({ events: z.array(RunEvent), ...pageMembers }),
);

export const RUN_LIMITS = { inputBytes: 256 * 1024 } as const;
