/**
 * Joined playback exports (`webm`, `mp4`): requested by a download, built by a recording worker
 * (the edge carries no media work), then served like any artifact. A host with a recording worker
 * claims pending builds in its heartbeat (its own sessions' first; anyone's after a few seconds);
 * a build that does not finish within its lease is handed out again.
 */
import type { DownloadSources, PlaybackExport } from '@browserpane/api/contract';
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Queryable } from '../../db/client.ts';
import {
  type ExportFormat,
  type ExportRow,
  type RecordingRow,
  recordingExports,
  sessions,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { type ArtifactStore, mapStoreError } from '../artifacts/index.ts';
import { uuidv7 } from '../crypto.ts';
import { exportKey, videoKey } from './artifacts.ts';
import { listRecordings, recordingNotFound } from './lifecycle.ts';
import { includedSegments, segmentKey } from './view.ts';
import type { WorkerGrant } from './worker-token.ts';

/** A build not finished within this is handed to a host again. */
export const EXPORT_LEASE_MS = 10 * 60_000;
/** Builds of sessions another host ran wait this long for that host before anyone takes them. */
const PREFER_OWN_HOST_MS = 5_000;
const SOURCE_TTL_SEC = 15 * 60;

export type ExportDecision =
  | { kind: 'segment'; row: RecordingRow }
  | { kind: 'export'; row: ExportRow }
  | { kind: 'pending'; row: ExportRow };

/**
 * What a `webm`/`mp4` export request gets: the one segment itself (webm of a single segment),
 * the built export, or a build is pending (started now when there is none for these segments).
 */
export async function requestExport(
  db: Queryable,
  store: ArtifactStore | null,
  sessionId: string,
  format: ExportFormat,
  now: Date,
): Promise<ExportDecision> {
  const included = includedSegments(await listRecordings(db, sessionId));
  const only = included[0];
  if (!only)
    throw new AppError(
      'recording_playback_empty',
      'no recording of this session is ready to export',
    );
  if (format === 'webm' && included.length === 1) return { kind: 'segment', row: only };
  const segments = segmentKey(included);
  const [existing] = await db
    .select()
    .from(recordingExports)
    .where(and(eq(recordingExports.sessionId, sessionId), eq(recordingExports.format, format)));
  if (existing && existing.segments === segments && existing.state !== 'failed')
    return existing.state === 'ready'
      ? { kind: 'export', row: existing }
      : { kind: 'pending', row: existing };
  if (existing?.storageKey && store) await store.delete(existing.storageKey).catch(() => {});
  const fresh = {
    sessionId,
    id: uuidv7(now.getTime()),
    format,
    segments,
    state: 'pending' as const,
    hostId: null,
    claimedAt: null,
    storageKey: null,
    bytes: null,
    durationMs: null,
    error: null,
    requestedAt: now,
    completedAt: null,
  };
  const [row] = await db
    .insert(recordingExports)
    .values(fresh)
    .onConflictDoUpdate({
      target: [recordingExports.sessionId, recordingExports.format],
      set: { ...fresh, sessionId: undefined, format: undefined },
    })
    .returning();
  return { kind: 'pending', row: row as ExportRow };
}

/** Heartbeat: builds this host should run now (claiming pending ones it may take). */
export async function claimExports(db: Queryable, hostId: string, now: Date): Promise<ExportRow[]> {
  const stale = new Date(now.getTime() - EXPORT_LEASE_MS);
  const anyone = new Date(now.getTime() - PREFER_OWN_HOST_MS);
  await db
    .update(recordingExports)
    .set({ state: 'building', hostId, claimedAt: now })
    .where(
      and(
        or(
          eq(recordingExports.state, 'pending'),
          and(eq(recordingExports.state, 'building'), lt(recordingExports.claimedAt, stale)),
        ),
        or(
          lt(recordingExports.requestedAt, anyone),
          sql`exists (select 1 from ${sessions} s where s.id = ${recordingExports.sessionId} and (s.host_id = ${hostId} or s.last_host_id = ${hostId}))`,
        ),
      ),
    );
  return db
    .select()
    .from(recordingExports)
    .where(and(eq(recordingExports.state, 'building'), eq(recordingExports.hostId, hostId)));
}

export async function grantedExport(db: Queryable, grant: WorkerGrant): Promise<ExportRow> {
  if (grant.kind !== 'export')
    throw new AppError(
      'recording_worker_unauthorized',
      'this is a recording token, not an export token',
    );
  const [row] = await db
    .select()
    .from(recordingExports)
    .where(
      and(eq(recordingExports.sessionId, grant.sessionId), eq(recordingExports.id, grant.exportId)),
    );
  if (row?.state !== 'building' || row.hostId !== grant.hostId)
    throw new AppError('recording_not_found', 'this export is no longer being built by this host');
  return row;
}

/** The segments of an export build, in order, and where the worker reads each. */
export async function exportSources(
  db: Queryable,
  store: ArtifactStore,
  row: ExportRow,
  origin: string,
): Promise<z.input<typeof DownloadSources>> {
  const byId = new Map((await listRecordings(db, row.sessionId)).map((r) => [r.id, r]));
  const segments: z.input<typeof DownloadSources>['segments'] = [];
  for (const id of row.segments.split(',')) {
    const rec = byId.get(id);
    if (!rec?.storageKey || rec.artifactRemovedAt) throw recordingNotFound();
    const presigned = store.presign
      ? await store
          .presign('GET', rec.storageKey, { expiresSec: SOURCE_TTL_SEC })
          .catch(mapStoreError)
      : null;
    segments.push({
      recording_id: rec.id,
      sequence: segments.length + 1,
      bytes: rec.bytes ?? 0,
      duration_ms: rec.durationMs,
      url: presigned ?? `${origin}/api/v1/recording-worker/sources/${rec.id}`,
      headers: {},
      via: presigned ? 'presigned' : 'edge',
    });
  }
  return { format: row.format, segments };
}

/** The stored key of a segment an export build may read (its own segments only). */
export function sourceKey(row: ExportRow, recordingId: string): string {
  if (!row.segments.split(',').includes(recordingId)) throw recordingNotFound();
  return videoKey(row.sessionId, recordingId);
}

export function exportResource(row: ExportRow): z.input<typeof PlaybackExport> {
  return {
    format: row.format,
    path: `/api/v1/sessions/${row.sessionId}/recording-playback/export?format=${row.format}`,
    state: row.state,
    bytes: row.state === 'ready' ? row.bytes : null,
    error: row.error,
  };
}

export async function completeExport(
  db: Queryable,
  store: ArtifactStore,
  row: ExportRow,
  body: { bytes: number; duration_ms: number },
  now: Date,
): Promise<ExportRow> {
  const key = exportKey(row.sessionId, row.id, row.format);
  const stored = await store.head(key).catch(mapStoreError);
  if (!stored)
    throw new AppError(
      'validation_failed',
      'the export is not stored: upload it (artifact `export`) first',
    );
  if (stored.size !== body.bytes)
    throw new AppError(
      'validation_failed',
      `body.bytes (${body.bytes}) differs from the stored export (${stored.size} bytes)`,
    );
  const [updated] = await db
    .update(recordingExports)
    .set({
      state: 'ready',
      storageKey: key,
      bytes: stored.size,
      durationMs: body.duration_ms,
      completedAt: now,
      error: null,
    })
    .where(and(eq(recordingExports.sessionId, row.sessionId), eq(recordingExports.id, row.id)))
    .returning();
  return updated as ExportRow;
}

export async function failExport(
  db: Queryable,
  row: ExportRow,
  error: string,
  now: Date,
): Promise<ExportRow> {
  const [updated] = await db
    .update(recordingExports)
    .set({ state: 'failed', error: error.slice(0, 2000), completedAt: now })
    .where(and(eq(recordingExports.sessionId, row.sessionId), eq(recordingExports.id, row.id)))
    .returning();
  return updated as ExportRow;
}

/** The export rows of a session (for the playback summary). */
export function exportsOf(db: Queryable, sessionIds: readonly string[]): Promise<ExportRow[]> {
  if (sessionIds.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(recordingExports)
    .where(inArray(recordingExports.sessionId, [...sessionIds]));
}
