/**
 * Session file bindings: a workspace file's metadata snapshotted onto a session at a relative
 * mount path, placed into the session's files by its host (which reports `materialized` or
 * `failed`). Owner-scoped through the session and the workspace.
 */
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  type FileBindingMode,
  type FileWorkspaceFileRow,
  type SessionFileBindingRow,
  type SessionRow,
  sessionFileBindings,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { uuidv7 } from '../crypto.ts';
import type { Principal } from '../oidc/principal.ts';
import { loadFile } from './workspaces.ts';

export function bindingNotFound(): AppError {
  return new AppError(
    'file_binding_not_found',
    'no file binding with this id exists in this session',
  );
}

const ENDED: readonly SessionRow['state'][] = ['stopping', 'stopped', 'failed'];

export function bindingResource(row: SessionFileBindingRow) {
  return {
    id: row.id,
    session_id: row.sessionId,
    workspace_id: row.workspaceId,
    file_id: row.fileId,
    file_name: row.fileName,
    media_type: row.mediaType,
    byte_count: row.byteCount,
    sha256_hex: row.sha256,
    provenance: row.provenance ?? null,
    mount_path: row.mountPath,
    mode: row.mode,
    state: row.state,
    error: row.error,
    labels: row.labels,
    content_path: `/api/v1/sessions/${row.sessionId}/file-bindings/${row.id}/content`,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export interface CreateBindingInput {
  workspace_id: string;
  file_id: string;
  mount_path: string;
  mode?: FileBindingMode | undefined;
  labels?: Record<string, string> | undefined;
}

function conflict(mountPath: string): AppError {
  return new AppError(
    'file_binding_conflict',
    `another active binding of this session uses the mount path ${mountPath}`,
  );
}

export async function createBinding(
  db: Queryable,
  session: SessionRow,
  principal: Principal,
  input: CreateBindingInput,
  now: Date,
): Promise<SessionFileBindingRow> {
  if (ENDED.includes(session.state))
    throw new AppError('session_stopped', 'the session has ended; it takes no file bindings');
  const file = await loadFile(db, input.workspace_id, input.file_id, principal.id);
  return bindFile(db, session.id, principal, file, input, now);
}

/**
 * Records a binding of a file already checked to be the principal's (a session's own route, or
 * the inputs of a run being created in the same transaction as its session).
 */
export async function bindFile(
  db: Queryable,
  sessionId: string,
  principal: Principal,
  file: FileWorkspaceFileRow,
  input: Pick<CreateBindingInput, 'mount_path' | 'mode' | 'labels'>,
  now: Date,
): Promise<SessionFileBindingRow> {
  const [taken] = await db
    .select({ id: sessionFileBindings.id })
    .from(sessionFileBindings)
    .where(
      and(
        eq(sessionFileBindings.sessionId, sessionId),
        eq(sessionFileBindings.mountPath, input.mount_path),
        ne(sessionFileBindings.state, 'removed'),
      ),
    );
  if (taken) throw conflict(input.mount_path);
  const rows = await db
    .insert(sessionFileBindings)
    .values({
      id: uuidv7(now.getTime()),
      sessionId,
      ownerId: principal.id,
      workspaceId: file.workspaceId,
      fileId: file.id,
      fileName: file.name,
      mediaType: file.mediaType,
      byteCount: file.byteCount,
      sha256: file.sha256,
      provenance: file.provenance ?? null,
      mountPath: input.mount_path,
      mode: input.mode ?? 'read_only',
      state: 'pending',
      error: null,
      labels: input.labels ?? {},
      createdAt: now,
      updatedAt: now,
    })
    // Two creates racing for one mount path: the partial unique index keeps one.
    .onConflictDoNothing()
    .returning();
  const row = rows[0];
  if (!row) throw conflict(input.mount_path);
  return row;
}

export function listBindings(db: Queryable, sessionId: string): Promise<SessionFileBindingRow[]> {
  return db
    .select()
    .from(sessionFileBindings)
    .where(eq(sessionFileBindings.sessionId, sessionId))
    .orderBy(asc(sessionFileBindings.id));
}

export async function loadBinding(
  db: Queryable,
  sessionId: string,
  bindingId: string,
): Promise<SessionFileBindingRow> {
  const [row] = await db
    .select()
    .from(sessionFileBindings)
    .where(
      and(eq(sessionFileBindings.sessionId, sessionId), eq(sessionFileBindings.id, bindingId)),
    );
  if (!row) throw bindingNotFound();
  return row;
}

export async function removeBinding(
  db: Queryable,
  row: SessionFileBindingRow,
  now: Date,
): Promise<SessionFileBindingRow> {
  if (row.state === 'removed') return row;
  const [after] = await db
    .update(sessionFileBindings)
    .set({ state: 'removed', removedAt: now, updatedAt: now })
    .where(eq(sessionFileBindings.id, row.id))
    .returning();
  return after ?? row;
}

/** The host's report: placed, or failed with a reason. A removed binding stays removed. */
export async function reportBinding(
  db: Queryable,
  row: SessionFileBindingRow,
  report: { state: 'materialized' | 'failed'; error?: string | null | undefined },
  now: Date,
): Promise<SessionFileBindingRow> {
  if (row.state === 'removed') return row;
  const [after] = await db
    .update(sessionFileBindings)
    .set({
      state: report.state,
      error:
        report.state === 'failed' ? (report.error ?? 'the host could not place the file') : null,
      updatedAt: now,
    })
    .where(and(eq(sessionFileBindings.id, row.id), ne(sessionFileBindings.state, 'removed')))
    .returning();
  return after ?? row;
}

/** Active bindings of these sessions, by session (the heartbeat's desired state). */
export async function activeBindingsOf(
  db: Queryable,
  sessionIds: readonly string[],
): Promise<Map<string, SessionFileBindingRow[]>> {
  const out = new Map<string, SessionFileBindingRow[]>();
  if (sessionIds.length === 0) return out;
  const rows = await db
    .select()
    .from(sessionFileBindings)
    .where(
      and(
        inArray(sessionFileBindings.sessionId, [...sessionIds]),
        ne(sessionFileBindings.state, 'removed'),
      ),
    )
    .orderBy(asc(sessionFileBindings.id));
  for (const row of rows) {
    const list = out.get(row.sessionId) ?? [];
    list.push(row);
    out.set(row.sessionId, list);
  }
  return out;
}
