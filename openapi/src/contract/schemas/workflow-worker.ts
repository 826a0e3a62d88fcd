/**
 * What the workflow worker and the edge say to each other: taking a run (a lease fenced by the
 * attempt number), reporting its state, and delivering a resolved source snapshot.
 */
import { count, jsonObject, text, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';
import { AutomationAccess } from './tickets.ts';
import { InterventionResolution, RUN_STATES, WorkflowRun } from './workflow-runs.ts';

export const SourceParams = z.strictObject({ version_id: uuid() });

export const ClaimRunRequest = named(
  'ClaimWorkflowRunRequest',
  z.strictObject({
    worker_id: text({ min: 1, max: 200 }).meta({ description: 'Names the worker in events.' }),
  }),
);

export const RunLease = named(
  'WorkflowRunLease',
  z.object({
    run: WorkflowRun,
    attempt: z.int().min(1),
    lease_expires_at: timestamp(),
    cancel_requested: z.boolean(),
  }),
);

export const ClaimedRun = named(
  'ClaimedWorkflowRun',
  z.object({
    run: WorkflowRun,
    attempt: z.int().min(1),
    lease_expires_at: timestamp(),
    cancel_requested: z.boolean(),
    lease_ms: z.int().min(1).meta({ description: 'Renew the lease (heartbeat) well within this.' }),
    lease_token: z.string().min(1).meta({
      description:
        "This attempt's lease secret, given to the claiming worker only: sent as `x-bpane-run-lease` wherever the worker reaches into the run's session (automation access, the session's files).",
    }),
    version: z.object({
      id: uuid(),
      executor: z.string(),
      entrypoint: z.string(),
      timeout_ms: z.int(),
      memory_mb: z.int().nullable(),
      snapshot_sha256: z.string(),
      snapshot_path: z.string(),
      output_schema: z.unknown(),
    }),
    resolutions: z.array(InterventionResolution).meta({
      description:
        'Every answer given so far, oldest first: a run restarted from the profile replays them to its `requestInput` calls.',
    }),
    resume_from: jsonObject().nullable().meta({
      description: 'Where a `wb` run continues (`{ verb_index }`), when it paused before.',
    }),
    automation: AutomationAccess.nullable().meta({
      description:
        "Ours: automation access to the run's session when its browser is up now (as `automation-access` answers; one round trip less), else null: ask `automation-access`, which waits for a queued or starting session.",
    }),
  }),
);

export const HeartbeatRunRequest = named(
  'WorkflowRunHeartbeatRequest',
  z.strictObject({ attempt: z.int().min(1).max(1_000_000) }),
);

/** The reference's transition body, plus `attempt` (fencing) and `reason` (ours). */
export const TransitionRunRequest = named(
  'TransitionWorkflowRunRequest',
  z.strictObject({
    state: z.enum(RUN_STATES),
    output: z.unknown().optional(),
    error: text({ max: 8000 }).nullable().optional(),
    artifact_refs: z
      .array(text({ max: 1024 }))
      .max(256)
      .optional(),
    message: text({ max: 8000 }).nullable().optional(),
    data: z.unknown().optional().meta({
      description:
        'For `awaiting_input`: `intervention_request` (`request_id`, `kind`, `prompt`, `details`, ours `input_schema`) and `runtime_hold` (`mode` `live` = `live_runtime`, or `profile_restart`; `timeout_sec`); ours `resume_from` (`{ verb_index }`).',
    }),
    attempt: z.int().min(1).max(1_000_000).optional().meta({
      description: 'Ours: the attempt that reports (a stale one is refused with `stale_attempt`).',
    }),
    reason: text({ min: 1, max: 64, pattern: /^[a-z0-9_]+$/, hint: 'a snake_case reason' })
      .optional()
      .meta({ description: 'Ours: why (e.g. `entrypoint_failed`, `timeout`, `memory_limit`).' }),
  }),
);

export const SourceFailureRequest = named(
  'WorkflowSourceFailure',
  z.strictObject({
    code: z.enum(['git_ref_not_found', 'git_unreachable', 'source_invalid', 'git_url_forbidden']),
    message: text({ min: 1, max: 2000 }),
  }),
);

export const SourceResolution = named(
  'WorkflowSourceResolution',
  z.object({
    version_id: uuid(),
    state: z.enum(['resolving', 'ready', 'failed']),
    sha256: z.string().nullable(),
    bytes: count().nullable(),
    resolved_commit: z.string().nullable(),
  }),
);

export const SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024;
