import { and, asc, eq, or, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import {
  type SessionFileRow,
  type SessionRow,
  sessionFiles,
  sessions,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { notFound } from './sessions.ts';

/** Largest session file a host may record (content is streamed into the artifact store). */
export { SESSION_FILE_MAX_BYTES } from '@browserpane/api/contract';

/** The metadata a host sends with a file's content. */
export interface SessionFileInput {
  readonly id: string;
  readonly name: string;
  readonly mimeType: string;
  readonly size: number;
  readonly sha256: string;
}

/** Where a session file's content lives in the `ARTIFACTS` bucket. */
export function storageKey(sessionId: string, fileId: string): string {
  return `sessions/${sessionId}/files/${fileId}`;
}

export function fileNotFound(): AppError {
  return new AppError('not_found', 'no file with this id exists in this session');
}

export function sessionFileResource(row: SessionFileRow) {
  return {
    id: row.id,
    session_id: row.sessionId,
    name: row.name,
    mime_type: row.mimeType,
    size: row.size,
    sha256: row.sha256,
    source: row.source,
    created_at: row.createdAt.toISOString(),
    content_url: `/api/v1/sessions/${row.sessionId}/files/${row.id}/content`,
  };
}

/** One page of a session's files, oldest first; `cursor` is the last file id of the previous page. */
export async function listSessionFiles(
  db: Queryable,
  sessionId: string,
  options: { limit: number; cursor?: string | undefined },
): Promise<{ rows: SessionFileRow[]; nextCursor: string | null }> {
  const filters: SQL[] = [eq(sessionFiles.sessionId, sessionId)];
  if (options.cursor) {
    const [after] = await db
      .select({ id: sessionFiles.id })
      .from(sessionFiles)
      .where(and(eq(sessionFiles.sessionId, sessionId), eq(sessionFiles.id, options.cursor)));
    if (!after)
      throw new AppError('validation_failed', 'cursor does not name a file of this session');
    // Compared in SQL: timestamps have microseconds, JavaScript dates only milliseconds.
    filters.push(
      sql`(${sessionFiles.createdAt}, ${sessionFiles.id}) > (select f.created_at, f.id from session_files f where f.session_id = ${sessionId} and f.id = ${options.cursor})`,
    );
  }
  const rows = await db
    .select()
    .from(sessionFiles)
    .where(and(...filters))
    .orderBy(asc(sessionFiles.createdAt), asc(sessionFiles.id))
    .limit(options.limit + 1);
  const more = rows.length > options.limit;
  const page = more ? rows.slice(0, options.limit) : rows;
  return { rows: page, nextCursor: more ? (page[page.length - 1]?.id ?? null) : null };
}

export async function loadSessionFile(
  db: Queryable,
  sessionId: string,
  fileId: string,
): Promise<SessionFileRow> {
  const [row] = await db
    .select()
    .from(sessionFiles)
    .where(and(eq(sessionFiles.sessionId, sessionId), eq(sessionFiles.id, fileId)));
  if (!row) throw fileNotFound();
  return row;
}

/**
 * Records (or re-records, for a retried upload) a file of `session` that `hostId` stored. A host
 * may record files only for sessions placed on it now or last.
 */
export async function recordSessionFile(
  db: Queryable,
  session: SessionRow,
  hostId: string,
  input: SessionFileInput,
): Promise<{ row: SessionFileRow; created: boolean }> {
  const values = {
    sessionId: session.id,
    id: input.id,
    hostId,
    source: 'download' as const,
    name: input.name,
    mimeType: input.mimeType,
    size: input.size,
    sha256: input.sha256,
    storageKey: storageKey(session.id, input.id),
  };
  const [existing] = await db
    .select({ id: sessionFiles.id })
    .from(sessionFiles)
    .where(and(eq(sessionFiles.sessionId, session.id), eq(sessionFiles.id, input.id)));
  const [row] = await db
    .insert(sessionFiles)
    .values(values)
    .onConflictDoUpdate({
      target: [sessionFiles.sessionId, sessionFiles.id],
      set: {
        hostId,
        name: values.name,
        mimeType: values.mimeType,
        size: values.size,
        sha256: values.sha256,
      },
    })
    .returning();
  if (!row) throw new AppError('internal_error', 'the file record was not written');
  return { row, created: !existing };
}

/**
 * The session `hostId` may record files for: one placed on it now or last. Any other session
 * (or none) is a 404, as for users.
 */
export async function sessionOfHost(
  db: Queryable,
  sessionId: string,
  hostId: string,
): Promise<SessionRow> {
  const [row] = await db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.id, sessionId),
        or(eq(sessions.hostId, hostId), eq(sessions.lastHostId, hostId)),
      ),
    );
  if (!row) throw notFound();
  return row;
}
