/**
 * File workspaces and their files: owner-scoped (another owner's workspace is a 404 like a missing
 * one). Bytes live in the one artifact store under `file-workspaces/<workspace>/files/<file>`.
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  type FileWorkspaceFileRow,
  type FileWorkspaceRow,
  fileWorkspaceFiles,
  fileWorkspaces,
  workflowRunFiles,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { uuidv7 } from '../crypto.ts';
import type { Principal } from '../oidc/principal.ts';

export function workspaceNotFound(): AppError {
  return new AppError(
    'file_workspace_not_found',
    'no file workspace with this id exists for the caller',
  );
}

export function fileNotFound(): AppError {
  return new AppError('workspace_file_not_found', 'no file with this id exists in this workspace');
}

export function fileGone(): AppError {
  return new AppError('workspace_file_gone', 'the workspace file this points at is gone');
}

/** Where a workspace file's bytes live in the artifact store. */
export function workspaceFileKey(workspaceId: string, fileId: string): string {
  return `file-workspaces/${workspaceId}/files/${fileId}`;
}

export function workspaceResource(row: FileWorkspaceRow) {
  return {
    id: row.id,
    project_id: null,
    project: null,
    name: row.name,
    description: row.description,
    labels: row.labels,
    files_path: `/api/v1/file-workspaces/${row.id}/files`,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function workspaceFileResource(row: FileWorkspaceFileRow) {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    name: row.name,
    media_type: row.mediaType,
    byte_count: row.byteCount,
    sha256_hex: row.sha256,
    provenance: row.provenance ?? null,
    run_id: row.runId,
    content_path: `/api/v1/file-workspaces/${row.workspaceId}/files/${row.id}/content`,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export async function createWorkspace(
  db: Queryable,
  principal: Principal,
  input: {
    name: string;
    description?: string | null | undefined;
    labels?: Record<string, string> | undefined;
  },
  now: Date,
): Promise<FileWorkspaceRow> {
  const [row] = await db
    .insert(fileWorkspaces)
    .values({
      id: uuidv7(now.getTime()),
      ownerId: principal.id,
      ownerIssuer: principal.issuer,
      name: input.name,
      description: input.description ?? null,
      labels: input.labels ?? {},
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new AppError('internal_error', 'the workspace was not written');
  return row;
}

export function listWorkspaces(db: Queryable, ownerId: string): Promise<FileWorkspaceRow[]> {
  return db
    .select()
    .from(fileWorkspaces)
    .where(eq(fileWorkspaces.ownerId, ownerId))
    .orderBy(desc(fileWorkspaces.id));
}

export async function loadWorkspace(
  db: Queryable,
  id: string,
  ownerId: string,
): Promise<FileWorkspaceRow> {
  const [row] = await db
    .select()
    .from(fileWorkspaces)
    .where(and(eq(fileWorkspaces.id, id), eq(fileWorkspaces.ownerId, ownerId)));
  if (!row) throw workspaceNotFound();
  return row;
}

export function listFiles(db: Queryable, workspaceId: string): Promise<FileWorkspaceFileRow[]> {
  return db
    .select()
    .from(fileWorkspaceFiles)
    .where(eq(fileWorkspaceFiles.workspaceId, workspaceId))
    .orderBy(asc(fileWorkspaceFiles.id));
}

/** A file of the caller's workspace (404 `file_workspace_not_found` / `workspace_file_not_found`). */
export async function loadFile(
  db: Queryable,
  workspaceId: string,
  fileId: string,
  ownerId: string,
): Promise<FileWorkspaceFileRow> {
  await loadWorkspace(db, workspaceId, ownerId);
  const [row] = await db
    .select()
    .from(fileWorkspaceFiles)
    .where(and(eq(fileWorkspaceFiles.workspaceId, workspaceId), eq(fileWorkspaceFiles.id, fileId)));
  if (!row) throw fileNotFound();
  return row;
}

export interface StoredFileInput {
  readonly id: string;
  readonly workspaceId: string;
  readonly ownerId: string;
  readonly name: string;
  readonly mediaType: string;
  readonly byteCount: number;
  readonly sha256: string;
  readonly provenance: unknown;
  readonly runId?: string | null;
}

/** Records a file whose bytes are already in the store under its key. */
export async function recordFile(
  db: Queryable,
  input: StoredFileInput,
  now: Date,
): Promise<FileWorkspaceFileRow> {
  const [row] = await db
    .insert(fileWorkspaceFiles)
    .values({
      id: input.id,
      workspaceId: input.workspaceId,
      ownerId: input.ownerId,
      name: input.name,
      mediaType: input.mediaType,
      byteCount: input.byteCount,
      sha256: input.sha256,
      provenance: input.provenance ?? null,
      storageKey: workspaceFileKey(input.workspaceId, input.id),
      runId: input.runId ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new AppError('internal_error', 'the file record was not written');
  return row;
}

/**
 * Of these workspace files' storage keys, those whose bytes may go with them: a file a run
 * produced into the workspace shares its key with the run's produced file, which outlives it.
 */
export async function unsharedKeys(db: Queryable, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const shared = await db
    .select({ key: workflowRunFiles.storageKey })
    .from(workflowRunFiles)
    .where(inArray(workflowRunFiles.storageKey, [...keys]));
  const kept = new Set(shared.map((r) => r.key));
  return keys.filter((k) => !kept.has(k));
}
