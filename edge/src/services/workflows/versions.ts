/**
 * Immutable workflow versions. Publishing pins the source: inline files are packed here; a git
 * source is resolved by a workflow worker (a `workflow_source` job) while the request waits, and
 * its snapshot is stored once in the artifact store. A retry with the same body is the same
 * version; a failed resolution withdraws the version and answers the worker's error.
 */

import type { CreateVersionRequest, WorkflowVersion } from '@browserpane/api/contract';
import { and, desc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Database, Queryable } from '../../db/client.ts';
import {
  type GitSourceSpec,
  type WorkflowDefinitionRow,
  type WorkflowVersionRow,
  workflowDefinitions,
  workflowVersions,
} from '../../db/schema/index.ts';
import { AppError, type ErrorCode } from '../../errors.ts';
import type { ArtifactStore } from '../artifacts/index.ts';
import { mapStoreError } from '../artifacts/index.ts';
import { uuidv7 } from '../crypto.ts';
import { resolveSessionExtensions } from '../extensions/session-extensions.ts';
import { fingerprint } from './fingerprint.ts';
import { checkGitUrl } from './git-url.ts';
import { addJob, JOBS } from './job-queue.ts';
import { checkSchema } from './json-schema.ts';
import { checkSourcePath, packInline, snapshotKey } from './snapshot.ts';

export type CreateVersionInput = z.output<typeof CreateVersionRequest>;

export const RUNNABLE_EXECUTORS = ['playwright', 'wb'] as const;
const DEFAULT_TIMEOUT_MS = 300_000;
const DEFAULT_MAX_ATTEMPTS = 2;

export function versionNotFound(): AppError {
  return new AppError(
    'workflow_version_not_found',
    'no version with this name exists in the workflow',
  );
}

function compatibility(row: WorkflowVersionRow): WorkflowVersion['compatibility'] {
  if (!(RUNNABLE_EXECUTORS as readonly string[]).includes(row.executor))
    return {
      state: 'unsupported',
      warnings: [`executor ${JSON.stringify(row.executor)} is not runnable here (playwright, wb)`],
    };
  if (row.package) return { state: 'supported', warnings: [] };
  return {
    state: 'legacy',
    warnings: ['no package manifest: runnable, without the published package guarantees'],
  };
}

export function versionResource(row: WorkflowVersionRow): WorkflowVersion {
  return {
    id: row.id,
    workflow_definition_id: row.workflowId,
    version: row.version,
    executor: row.executor,
    entrypoint: row.entrypoint,
    source: row.gitSource,
    input_schema: row.inputSchema ?? null,
    output_schema: row.outputSchema ?? null,
    package: (row.package as WorkflowVersion['package']) ?? null,
    compatibility: compatibility(row),
    default_session: row.defaultSession ?? null,
    allowed_credential_binding_ids: row.allowedCredentialBindingIds,
    allowed_extension_ids: row.allowedExtensionIds,
    allowed_file_workspace_ids: row.allowedFileWorkspaceIds,
    execution: {
      timeout_ms: row.timeoutMs,
      memory_mb: row.memoryMb,
      max_attempts: row.maxAttempts,
    },
    snapshot: {
      kind: row.sourceKind,
      state: row.snapshotState,
      sha256: row.snapshotSha256,
      bytes: row.snapshotBytes,
      file_count: row.snapshotFileCount,
      error: row.snapshotError,
    },
    created_at: row.createdAt.toISOString(),
  };
}

export async function listVersions(db: Queryable, workflowId: string) {
  return db
    .select()
    .from(workflowVersions)
    .where(
      and(eq(workflowVersions.workflowId, workflowId), eq(workflowVersions.snapshotState, 'ready')),
    )
    .orderBy(desc(workflowVersions.createdAt), desc(workflowVersions.id));
}

export async function loadVersion(
  db: Queryable,
  workflowId: string,
  version: string,
): Promise<WorkflowVersionRow> {
  const [row] = await db
    .select()
    .from(workflowVersions)
    .where(and(eq(workflowVersions.workflowId, workflowId), eq(workflowVersions.version, version)));
  if (!row) throw versionNotFound();
  return row;
}

export async function loadVersionById(db: Queryable, id: string): Promise<WorkflowVersionRow> {
  const [row] = await db.select().from(workflowVersions).where(eq(workflowVersions.id, id));
  if (!row) throw versionNotFound();
  return row;
}

function gitSpec(input: CreateVersionInput, cfg: Config): GitSourceSpec | null {
  const source = input.source;
  if (source?.kind !== 'git') return null;
  checkGitUrl(source.repository_url, cfg.workflowGitProtocols);
  if (source.root_path) checkSourcePath(source.root_path, 'source.root_path');
  if (source.ref && (/^-|\.\.|[\s~^:?*[\\]|@\{/.test(source.ref) || source.ref.endsWith('.lock')))
    throw new AppError('validation_failed', 'source.ref is not a valid git ref name');
  return {
    kind: 'git',
    repository_url: source.repository_url,
    ref: source.ref ?? null,
    resolved_commit: source.resolved_commit ?? null,
    root_path: source.root_path ?? null,
  };
}

/** Makes the definition's `latest_version` this (newest ready) version. */
export async function markLatest(db: Queryable, row: WorkflowVersionRow, now: Date): Promise<void> {
  await db
    .update(workflowDefinitions)
    .set({ latestVersion: row.version, updatedAt: now })
    .where(eq(workflowDefinitions.id, row.workflowId));
}

/** The answer to a publishing request once the version's source is settled. */
async function settled(db: Database, row: WorkflowVersionRow): Promise<WorkflowVersionRow> {
  if (row.snapshotState === 'failed') {
    await db.delete(workflowVersions).where(eq(workflowVersions.id, row.id));
    throw new AppError(
      (row.snapshotErrorCode as ErrorCode | null) ?? 'source_invalid',
      row.snapshotError ?? 'the source could not be resolved',
    );
  }
  return row;
}

async function waitResolved(db: Database, id: string, cfg: Config): Promise<WorkflowVersionRow> {
  const until = Date.now() + cfg.workflowSourceWaitMs;
  for (let delay = 50; ; delay = Math.min(delay * 1.5, 500)) {
    const row = await loadVersionById(db, id);
    if (row.snapshotState !== 'resolving') return settled(db, row);
    if (Date.now() >= until)
      throw new AppError(
        'workflow_worker_unavailable',
        'no workflow worker resolved the source in time; send the same request again to pick up the result',
      );
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Publishes a version: 201 for a new one, 200 for a retry of the same request (after it settled),
 * `workflow_version_exists` for another body under the same version string.
 */
export async function createVersion(
  db: Database,
  store: () => ArtifactStore,
  definition: WorkflowDefinitionRow,
  input: CreateVersionInput,
  cfg: Config,
  now: Date,
): Promise<{ row: WorkflowVersionRow; created: boolean }> {
  const git = gitSpec(input, cfg);
  checkSourcePath(input.entrypoint, 'entrypoint');
  checkSchema(input.input_schema, 'input_schema');
  checkSchema(input.output_schema, 'output_schema');
  if (input.package && input.executor !== 'playwright')
    throw new AppError(
      'validation_failed',
      'a version with a package must use the playwright executor',
    );
  // every extension a version allows is its owner's and approved (now; a later delete shows at run time)
  await resolveSessionExtensions(db, definition.ownerId, input.allowed_extension_ids);
  const print = await fingerprint(input);
  const [existing] = await db
    .select()
    .from(workflowVersions)
    .where(
      and(
        eq(workflowVersions.workflowId, definition.id),
        eq(workflowVersions.version, input.version),
      ),
    );
  if (existing) {
    if (existing.requestFingerprint === print)
      return { row: await waitResolved(db, existing.id, cfg), created: false };
    if (existing.snapshotState !== 'failed')
      throw new AppError(
        'workflow_version_exists',
        `version ${input.version} exists with another body; versions are immutable`,
      );
    await db.delete(workflowVersions).where(eq(workflowVersions.id, existing.id));
  }

  let inline: Awaited<ReturnType<typeof packInline>> | null = null;
  if (input.source?.kind === 'inline') {
    if (!Object.hasOwn(input.source.files, input.entrypoint))
      throw new AppError(
        'source_invalid',
        `the inline source has no file ${input.entrypoint} (the entrypoint)`,
      );
    inline = await packInline(input.source.files);
    const key = snapshotKey(inline.sha256);
    const s = store();
    if (!(await s.head(key).catch(mapStoreError)))
      await s
        .put(key, inline.bytes, {
          contentType: 'application/gzip',
          size: inline.bytes.byteLength,
          sha256: inline.sha256,
        })
        .catch(mapStoreError);
  } else if (!git) {
    throw new AppError(
      'validation_failed',
      'body.source is required: a git source or an inline one',
    );
  }

  const pkgTimeout = (input.package?.execution as { timeout_ms?: number } | undefined)?.timeout_ms;
  const id = uuidv7(now.getTime());
  const values = {
    id,
    workflowId: definition.id,
    ownerId: definition.ownerId,
    version: input.version,
    executor: input.executor,
    entrypoint: input.entrypoint,
    sourceKind: inline ? ('inline' as const) : ('git' as const),
    gitSource: git,
    snapshotState: inline ? ('ready' as const) : ('resolving' as const),
    snapshotKey: inline ? snapshotKey(inline.sha256) : null,
    snapshotSha256: inline?.sha256 ?? null,
    snapshotBytes: inline?.bytes.byteLength ?? null,
    snapshotFileCount: inline?.fileCount ?? null,
    inputSchema: input.input_schema ?? null,
    outputSchema: input.output_schema ?? null,
    package: (input.package as Record<string, unknown> | null | undefined) ?? null,
    defaultSession: input.default_session ?? null,
    allowedCredentialBindingIds: input.allowed_credential_binding_ids ?? [],
    allowedExtensionIds: input.allowed_extension_ids ?? [],
    allowedFileWorkspaceIds: input.allowed_file_workspace_ids ?? [],
    timeoutMs: pkgTimeout ?? input.execution?.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    memoryMb: input.execution?.memory_mb ?? null,
    maxAttempts: input.execution?.max_attempts ?? DEFAULT_MAX_ATTEMPTS,
    requestFingerprint: print,
    createdAt: now,
  };
  try {
    await db.transaction(async (tx) => {
      await tx.insert(workflowVersions).values(values);
      if (inline) await markLatest(tx, values as WorkflowVersionRow, now);
      else
        await addJob(
          tx,
          JOBS.source,
          { version_id: id, source: git, entrypoint: input.entrypoint, executor: input.executor },
          { jobKey: `workflow_source:${id}`, maxAttempts: 3 },
        );
    });
  } catch (error) {
    // Two identical requests at once: the second finds the first's row.
    if (
      /workflow_versions_version_idx|duplicate key/.test(String((error as Error).message ?? error))
    )
      return createVersion(db, store, definition, input, cfg, now);
    throw error;
  }
  if (inline) return { row: await loadVersionById(db, id), created: true };
  return { row: await waitResolved(db, id, cfg), created: true };
}

/** The worker's answer: the snapshot is stored; the version becomes ready. */
export async function resolveVersion(
  db: Queryable,
  row: WorkflowVersionRow,
  result: { sha256: string; bytes: number; fileCount: number; commit: string },
  now: Date,
): Promise<WorkflowVersionRow> {
  const git = row.gitSource ? { ...row.gitSource, resolved_commit: result.commit } : null;
  const [updated] = await db
    .update(workflowVersions)
    .set({
      snapshotState: 'ready',
      snapshotKey: snapshotKey(result.sha256),
      snapshotSha256: result.sha256,
      snapshotBytes: result.bytes,
      snapshotFileCount: result.fileCount,
      gitSource: git,
    })
    .where(and(eq(workflowVersions.id, row.id), eq(workflowVersions.snapshotState, 'resolving')))
    .returning();
  if (!updated)
    throw new AppError('run_state_conflict', 'this source is not waiting to be resolved');
  await markLatest(db, updated, now);
  return updated;
}

/** The worker's answer: the source cannot be used; the waiting request answers with this. */
export async function failVersion(
  db: Queryable,
  row: WorkflowVersionRow,
  code: ErrorCode,
  message: string,
): Promise<WorkflowVersionRow> {
  const [updated] = await db
    .update(workflowVersions)
    .set({
      snapshotState: 'failed',
      snapshotErrorCode: code,
      snapshotError: message.slice(0, 2000),
    })
    .where(and(eq(workflowVersions.id, row.id), eq(workflowVersions.snapshotState, 'resolving')))
    .returning();
  if (!updated)
    throw new AppError('run_state_conflict', 'this source is not waiting to be resolved');
  return updated;
}
