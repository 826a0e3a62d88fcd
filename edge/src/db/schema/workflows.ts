import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps, tstz } from './columns.ts';
import type { CredentialKind, CredentialProvider, InjectionMode, TotpSpec } from './credentials.ts';
import { sessions } from './sessions.ts';

/** A named, owner-scoped container of immutable versions. */
export const workflowDefinitions = pgTable(
  'workflow_definitions',
  {
    id: uuid().primaryKey(),
    ownerId: text().notNull(),
    ownerIssuer: text().notNull(),
    name: text().notNull(),
    description: text(),
    labels: jsonb().$type<Record<string, string>>().notNull(),
    latestVersion: text(),
    ...timestamps,
  },
  (t) => [index('workflow_definitions_owner_idx').on(t.ownerId, t.id)],
);

export type WorkflowDefinitionRow = typeof workflowDefinitions.$inferSelect;

export interface GitSourceSpec {
  kind: 'git';
  repository_url: string;
  ref: string | null;
  resolved_commit: string | null;
  root_path: string | null;
}

export type SnapshotState = 'resolving' | 'ready' | 'failed';

/**
 * An immutable publication of runnable source. Its snapshot (a gzipped tar of the pinned commit or
 * of the inline files) lives once in the artifact store under `snapshot_key` (content-addressed).
 */
export const workflowVersions = pgTable(
  'workflow_versions',
  {
    id: uuid().primaryKey(),
    workflowId: uuid()
      .notNull()
      .references(() => workflowDefinitions.id, { onDelete: 'cascade' }),
    ownerId: text().notNull(),
    version: text().notNull(),
    executor: text().notNull(),
    entrypoint: text().notNull(),
    sourceKind: text().$type<'git' | 'inline'>().notNull(),
    /** The git source as pinned (`resolved_commit` filled once resolved); null for inline. */
    gitSource: jsonb().$type<GitSourceSpec>(),
    snapshotState: text().$type<SnapshotState>().notNull(),
    snapshotKey: text(),
    snapshotSha256: text(),
    snapshotBytes: bigint({ mode: 'number' }),
    snapshotFileCount: integer(),
    snapshotError: text(),
    snapshotErrorCode: text(),
    inputSchema: jsonb(),
    outputSchema: jsonb(),
    package: jsonb().$type<Record<string, unknown>>(),
    defaultSession: jsonb(),
    allowedCredentialBindingIds: jsonb().$type<string[]>().notNull(),
    allowedExtensionIds: jsonb().$type<string[]>().notNull(),
    allowedFileWorkspaceIds: jsonb().$type<string[]>().notNull(),
    timeoutMs: integer().notNull(),
    memoryMb: integer(),
    maxAttempts: integer().notNull(),
    /** SHA-256 of the publishing request (a retry with the same body is the same version). */
    requestFingerprint: text().notNull(),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('workflow_versions_version_idx').on(t.workflowId, t.version),
    check(
      'workflow_versions_snapshot_state_check',
      sql`${t.snapshotState} in ('resolving', 'ready', 'failed')`,
    ),
  ],
);

export type WorkflowVersionRow = typeof workflowVersions.$inferSelect;

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
export type RunState = (typeof RUN_STATES)[number];

/** What the entrypoint asked a person for (`intervention.pending_request`). */
export interface InterventionRow {
  request_id: string;
  kind: string;
  prompt: string | null;
  details: unknown;
  input_schema: unknown;
  requested_at: string;
  hold: { mode: 'live_runtime' | 'profile_restart'; timeout_sec: number; hold_until: string };
}

/** A person's answer (`intervention.last_resolution`); every one is kept, in order. */
export interface ResolutionRow {
  request_id: string | null;
  action: 'submit_input' | 'resume' | 'reject';
  input: unknown;
  reason: string | null;
  actor_subject: string;
  actor_issuer: string;
  actor_display_name: string | null;
  details: unknown;
  resolved_at: string;
}

/** A credential binding as granted to a run: its metadata when the run was created, no secret. */
export interface GrantedCredential {
  id: string;
  name: string;
  /** Where its secret is (absent on runs created before the Vault backend: `local`). */
  provider?: CredentialProvider;
  kind: CredentialKind;
  injection_mode: InjectionMode;
  allowed_origins: string[];
  namespace: string | null;
  totp: TotpSpec | null;
}

export interface RuntimeReleaseRow {
  released_at: string;
  release_reason: string;
}

/**
 * A run of one version against one session. Postgres is its system of record; dispatch goes
 * through graphile-worker jobs enqueued in the same transaction as the state change.
 */
/** A workspace file mounted for a run, as the binding that mounts it was made. */
export interface RunWorkspaceInputRow {
  binding_id: string;
  workspace_id: string;
  file_id: string;
  file_name: string;
  media_type: string | null;
  byte_count: number;
  sha256_hex: string;
  provenance: unknown;
  mount_path: string;
}

export const workflowRuns = pgTable(
  'workflow_runs',
  {
    id: uuid().primaryKey(),
    ownerId: text().notNull(),
    ownerIssuer: text().notNull(),
    ownerName: text().notNull(),
    workflowId: uuid()
      .notNull()
      .references(() => workflowDefinitions.id),
    versionId: uuid()
      .notNull()
      .references(() => workflowVersions.id),
    version: text().notNull(),
    executor: text().notNull(),
    sessionId: uuid()
      .notNull()
      .references(() => sessions.id),
    /** The run created its session (it is stopped when the run ends). */
    sessionCreated: integer().notNull().default(0),
    state: text().$type<RunState>().notNull(),
    reason: text(),
    stateChangedAt: tstz().notNull(),
    input: jsonb(),
    output: jsonb(),
    error: text(),
    artifactRefs: jsonb().$type<string[]>().notNull(),
    labels: jsonb().$type<Record<string, string>>().notNull(),
    sourceSystem: text(),
    sourceReference: text(),
    clientRequestId: text(),
    requestFingerprint: text(),
    /** Credential bindings granted at creation (metadata only, as the run resource shows them). */
    credentialBindings: jsonb().$type<GrantedCredential[]>().notNull().default([]),
    /**
     * Where produced files go: a file workspace the owner named at creation, else an id of the
     * run's own (produced files only).
     */
    outputWorkspaceId: uuid().notNull(),
    /** Workspace files mounted for the run: the session file bindings made at creation (snapshots). */
    workspaceInputs: jsonb().$type<RunWorkspaceInputRow[]>().notNull().default([]),
    /** Claims so far (each worker take is one; fences reports from older takes). */
    attempt: integer().notNull().default(0),
    /** Takes that ended with the worker lost (retried while fewer than `max_attempts`). */
    lostAttempts: integer().notNull().default(0),
    maxAttempts: integer().notNull(),
    workerId: text(),
    leaseExpiresAt: tstz(),
    /** SHA-256 of the current attempt's lease secret (runs/run-lease.ts); null when none holds it. */
    leaseTokenHash: text(),
    cancelRequestedAt: tstz(),
    admissionReason: text(),
    queuedAt: tstz(),
    intervention: jsonb().$type<InterventionRow>(),
    resolutions: jsonb().$type<ResolutionRow[]>().notNull(),
    runtimeRelease: jsonb().$type<RuntimeReleaseRow>(),
    resumeFrom: jsonb().$type<Record<string, unknown>>(),
    executionDeadlineAt: tstz(),
    startedAt: tstz(),
    completedAt: tstz(),
    ...timestamps,
  },
  (t) => [
    index('workflow_runs_owner_idx').on(t.ownerId, t.id),
    uniqueIndex('workflow_runs_client_request_idx')
      .on(t.ownerId, t.clientRequestId)
      .where(sql`${t.clientRequestId} is not null`),
    index('workflow_runs_queue_idx').on(t.queuedAt, t.id).where(sql`${t.state} = 'queued'`),
    index('workflow_runs_active_idx')
      .on(t.state, t.leaseExpiresAt)
      .where(sql`${t.state} in ('pending', 'starting', 'running', 'awaiting_input')`),
    index('workflow_runs_session_idx').on(t.sessionId),
    check(
      'workflow_runs_state_check',
      sql`${t.state} in ('pending', 'queued', 'starting', 'running', 'awaiting_input', 'succeeded', 'failed', 'cancelled', 'timed_out')`,
    ),
  ],
);

export type WorkflowRunRow = typeof workflowRuns.$inferSelect;

/** Append-only run log (ordered by `seq`). */
export const workflowRunLogs = pgTable(
  'workflow_run_logs',
  {
    seq: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    id: uuid().notNull(),
    runId: uuid()
      .notNull()
      .references(() => workflowRuns.id, { onDelete: 'cascade' }),
    stream: text().$type<'stdout' | 'stderr' | 'system'>().notNull(),
    message: text().notNull(),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [index('workflow_run_logs_run_idx').on(t.runId, t.seq)],
);

/**
 * Append-only lifecycle events (ordered by `seq`): the run's history, and the outbox later
 * deliveries (webhooks) read in order.
 */
export const workflowRunEvents = pgTable(
  'workflow_run_events',
  {
    seq: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    id: uuid().notNull(),
    runId: uuid()
      .notNull()
      .references(() => workflowRuns.id, { onDelete: 'cascade' }),
    ownerId: text().notNull(),
    eventType: text().notNull(),
    message: text().notNull(),
    data: jsonb(),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [index('workflow_run_events_run_idx').on(t.runId, t.seq)],
);

/** Files a run produced: metadata here, bytes in the artifact store. */
export const workflowRunFiles = pgTable(
  'workflow_run_files',
  {
    id: uuid().primaryKey(),
    runId: uuid()
      .notNull()
      .references(() => workflowRuns.id, { onDelete: 'cascade' }),
    workspaceId: uuid().notNull(),
    fileName: text().notNull(),
    mediaType: text(),
    byteCount: bigint({ mode: 'number' }).notNull(),
    sha256: text().notNull(),
    provenance: jsonb(),
    storageKey: text().notNull(),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [index('workflow_run_files_run_idx').on(t.runId, t.createdAt, t.id)],
);

export type WorkflowRunFileRow = typeof workflowRunFiles.$inferSelect;
