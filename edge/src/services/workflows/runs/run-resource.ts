/** A run row as the API shows it: the reference's run resource plus our members. */
import type { WorkflowRun } from '@browserpane/api/contract';
import { asc, count, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../../db/client.ts';
import {
  type SessionExtensionRef,
  type SessionState,
  sessions,
  type WorkflowRunFileRow,
  type WorkflowRunRow,
  workflowRunFiles,
  workflowRuns,
} from '../../../db/schema/index.ts';
import { runBindingResource } from '../../credentials/grants.ts';
import { apiState, isRunningState } from '../../session-view.ts';
import { ownerScopeAdmission } from '../../sessions/reference-defaults.ts';
import { outcomeOf } from './outcome.ts';
import { inputStates, workspaceInputResource } from './workspace-inputs.ts';

export const TERMINAL = ['succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export const ACTIVE = ['pending', 'starting', 'running', 'awaiting_input'] as const;

export function isTerminal(state: WorkflowRunRow['state']): boolean {
  return (TERMINAL as readonly string[]).includes(state);
}

export function producedFileResource(row: WorkflowRunFileRow) {
  return {
    workspace_id: row.workspaceId,
    file_id: row.id,
    file_name: row.fileName,
    media_type: row.mediaType,
    byte_count: row.byteCount,
    sha256_hex: row.sha256,
    provenance: row.provenance ?? null,
    content_path: `/api/v1/workflow-runs/${row.runId}/produced-files/${row.id}/content`,
    created_at: row.createdAt.toISOString(),
  };
}

/** What a view of runs needs besides the rows: files, session states, queue positions. */
export interface RunContext {
  files: Map<string, WorkflowRunFileRow[]>;
  sessionStates: Map<string, SessionState>;
  /** The extensions each run's session was created with. */
  sessionExtensions: Map<string, SessionExtensionRef[]>;
  positions: Map<string, number>;
  /** Placement states of the runs' workspace inputs (by binding id). */
  inputStates: Map<string, { state: string; error: string | null }>;
  now: Date;
}

export async function runContext(
  db: Queryable,
  rows: WorkflowRunRow[],
  now: Date,
): Promise<RunContext> {
  const ids = rows.map((r) => r.id);
  const files = new Map<string, WorkflowRunFileRow[]>();
  const sessionStates = new Map<string, SessionState>();
  const sessionExtensions = new Map<string, SessionExtensionRef[]>();
  const positions = new Map<string, number>();
  const states = await inputStates(
    db,
    rows.flatMap((r) => r.workspaceInputs.map((w) => w.binding_id)),
  );
  if (ids.length === 0)
    return { files, sessionStates, sessionExtensions, positions, inputStates: states, now };
  for (const f of await db
    .select()
    .from(workflowRunFiles)
    .where(inArray(workflowRunFiles.runId, ids))
    .orderBy(asc(workflowRunFiles.createdAt), asc(workflowRunFiles.id)))
    files.set(f.runId, [...(files.get(f.runId) ?? []), f]);
  const sessionIds = [...new Set(rows.map((r) => r.sessionId))];
  for (const s of await db
    .select({ id: sessions.id, state: sessions.state, extensions: sessions.extensions })
    .from(sessions)
    .where(inArray(sessions.id, sessionIds))) {
    sessionStates.set(s.id, s.state);
    sessionExtensions.set(s.id, s.extensions);
  }
  for (const r of rows.filter((r) => r.state === 'queued')) {
    const [ahead] = await db
      .select({ n: count() })
      .from(workflowRuns)
      .where(
        sql`${workflowRuns.state} = 'queued' and (${workflowRuns.queuedAt}, ${workflowRuns.id}) < (select q.queued_at, q.id from workflow_runs q where q.id = ${r.id})`,
      );
    positions.set(r.id, Number(ahead?.n ?? 0) + 1);
  }
  return { files, sessionStates, sessionExtensions, positions, inputStates: states, now };
}

function runtimeBlock(
  row: WorkflowRunRow,
  sessionState: SessionState | undefined,
): WorkflowRun['runtime'] {
  const hold = row.intervention?.hold;
  if (row.state !== 'awaiting_input' && !row.runtimeRelease) return null;
  const released = row.runtimeRelease;
  const live = !released && sessionState !== undefined && isRunningState(sessionState);
  return {
    resume_mode:
      live && (hold?.mode ?? 'live_runtime') === 'live_runtime'
        ? 'live_runtime'
        : 'profile_restart',
    exact_runtime_available: live,
    hold_until: hold?.hold_until ?? null,
    released_at: released?.released_at ?? null,
    release_reason: released?.release_reason ?? null,
    session_state: sessionState ? apiState(sessionState) : null,
  };
}

export function runResource(row: WorkflowRunRow, ctx: RunContext): WorkflowRun {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const base = `/api/v1/workflow-runs/${row.id}`;
  const files = ctx.files.get(row.id) ?? [];
  const pending = row.state === 'awaiting_input' ? row.intervention : null;
  const last = row.resolutions.at(-1) ?? null;
  return {
    id: row.id,
    workflow_definition_id: row.workflowId,
    workflow_definition_version_id: row.versionId,
    workflow_version: row.version,
    project_id: null,
    project: null,
    source_system: row.sourceSystem,
    source_reference: row.sourceReference,
    client_request_id: row.clientRequestId,
    endpoint_id: null,
    endpoint_invocation_id: null,
    endpoint_key: null,
    outcome: outcomeOf(row),
    side_effect_state: null,
    execution_deadline_at: iso(row.executionDeadlineAt),
    state: row.state,
    reason: row.reason,
    state_changed_at: row.stateChangedAt.toISOString(),
    session_id: row.sessionId,
    automation_task_id: row.id,
    input: row.input ?? null,
    output: row.output ?? null,
    error: row.error,
    artifact_refs: row.artifactRefs,
    source_snapshot: null,
    extensions: (ctx.sessionExtensions.get(row.sessionId) ?? []).map((e) => ({
      extension_id: e.id,
      extension_version_id: e.id,
      name: e.name,
      version: e.version,
    })),
    credential_bindings: row.credentialBindings.map((g) => runBindingResource(row.id, g)),
    workspace_inputs: row.workspaceInputs.map((w) =>
      workspaceInputResource(row.sessionId, w, ctx.inputStates.get(w.binding_id)),
    ),
    produced_files: files.map(producedFileResource),
    recordings: [],
    retention: { logs_expire_at: null, output_expire_at: null },
    project_admission: ownerScopeAdmission(ctx.now),
    admission:
      row.state === 'queued' && row.queuedAt
        ? {
            state: 'queued',
            reason: row.admissionReason ?? 'workflow_worker_capacity',
            details: null,
            queued_at: row.queuedAt.toISOString(),
            position: ctx.positions.get(row.id) ?? 1,
          }
        : null,
    intervention: {
      pending_request: pending
        ? {
            request_id: pending.request_id,
            kind: pending.kind,
            prompt: pending.prompt,
            details: pending.details ?? null,
            requested_at: pending.requested_at,
            input_schema: pending.input_schema ?? null,
            hold: pending.hold,
          }
        : null,
      last_resolution: last,
    },
    runtime: runtimeBlock(row, ctx.sessionStates.get(row.sessionId)),
    labels: row.labels,
    attempt: row.attempt,
    max_attempts: row.maxAttempts,
    executor: row.executor,
    queued_at: iso(row.queuedAt),
    started_at: iso(row.startedAt),
    completed_at: iso(row.completedAt),
    events_path: `${base}/events`,
    logs_path: `${base}/logs`,
    produced_files_path: `${base}/produced-files`,
    live_view_path: `/?session=${row.sessionId}`,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export async function runResources(db: Queryable, rows: WorkflowRunRow[], now = new Date()) {
  const ctx = await runContext(db, rows, now);
  return rows.map((r) => runResource(r, ctx));
}

export async function runResourceOf(db: Queryable, row: WorkflowRunRow, now = new Date()) {
  const [one] = await runResources(db, [row], now);
  return one as WorkflowRun;
}
