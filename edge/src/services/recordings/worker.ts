/**
 * What the recording worker reports (progress, complete, fail), and the sweep's part of
 * recordings: segments whose recorder went silent are closed with what was stored, and retention
 * removes old files.
 */
import type {
  CompleteRecordingRequest,
  FailRecordingRequest,
  RecordingProgressRequest,
} from '@browserpane/api/contract';
import { and, eq, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Queryable } from '../../db/client.ts';
import {
  ACTIVE_RECORDING_STATES,
  hosts,
  type RecordingRow,
  recordingExports,
  sessionRecordings,
  type TerminationReason,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { type ArtifactStore, mapStoreError } from '../artifacts/index.ts';
import { addEvents } from '../scheduler.ts';
import { assembleParts, domKey, listParts, removeRecordingObjects, videoKey } from './artifacts.ts';
import { backOff, loadRecording } from './lifecycle.ts';
import { WEBM } from './view.ts';
import type { WorkerGrant } from './worker-token.ts';

/** A recorder that has not reported for this long is gone; its segment closes with what is stored. */
export const ABANDON_AFTER_MS = 2 * 60_000;

type Progress = z.output<typeof RecordingProgressRequest>;
type Complete = z.output<typeof CompleteRecordingRequest>;
type Fail = z.output<typeof FailRecordingRequest>;

/** The recording a worker grant names (404 when its session no longer has it). */
export async function grantedRecording(db: Queryable, grant: WorkerGrant): Promise<RecordingRow> {
  if (grant.kind !== 'recording')
    throw new AppError(
      'recording_worker_unauthorized',
      'this is an export token, not a recording token',
    );
  return loadRecording(db, grant.sessionId, grant.recordingId);
}

function notActive(row: RecordingRow): AppError {
  return new AppError('recording_not_active', `the recording is already ${row.state}`, {
    details: { state: row.state },
  });
}

export async function reportProgress(
  db: Queryable,
  row: RecordingRow,
  body: Progress,
  now: Date,
): Promise<RecordingRow> {
  if (row.state === 'ready' || row.state === 'failed') throw notActive(row);
  const stopping = body.state === 'finalizing' && row.state !== 'finalizing';
  const patch: Partial<RecordingRow> = {
    updatedAt: now,
    progressAt: now,
    ...(body.bytes_written !== undefined ? { bytesWritten: body.bytes_written } : {}),
    ...(body.duration_ms !== undefined ? { recordedMs: body.duration_ms } : {}),
    ...(body.parts !== undefined ? { parts: body.parts } : {}),
  };
  if (row.state === 'starting') patch.state = 'recording';
  if (stopping) {
    patch.state = 'finalizing';
    patch.endedAt = now;
    patch.terminationReason = body.termination_reason ?? 'worker_exit';
  }
  const [updated] = await db
    .update(sessionRecordings)
    .set(patch)
    .where(and(eq(sessionRecordings.id, row.id), eq(sessionRecordings.state, row.state)))
    .returning();
  // It changed in between (an owner's stop): the worker reads the state it is now.
  if (!updated) return loadRecording(db, row.sessionId, row.id);
  if (row.state === 'starting' || stopping)
    await addEvents(db, [
      {
        sessionId: row.sessionId,
        hostId: row.hostId,
        type: stopping ? 'recording_stopped' : 'recording_attached',
        at: now,
        data: { recording_id: row.id, ...(stopping ? { reason: patch.terminationReason } : {}) },
      },
    ]);
  return updated;
}

/** `…/<session_id>/<recording_id>.webm`, as the reference names the finished file. */
function checkSourcePath(row: RecordingRow, path: string): void {
  const expected = `${row.sessionId}/${row.id}.webm`;
  if (path !== expected && !path.endsWith(`/${expected}`))
    throw new AppError(
      'validation_failed',
      `body.source_path must name this recording's file (…/${expected})`,
    );
}

function retentionEnd(row: RecordingRow, now: Date): Date | null {
  return row.retentionSec === null ? null : new Date(now.getTime() + row.retentionSec * 1000);
}

/** The stored video becomes the recording's artifact: `ready`. */
export async function completeRecording(
  db: Queryable,
  store: ArtifactStore,
  row: RecordingRow,
  body: Complete,
  now: Date,
): Promise<RecordingRow> {
  if (row.state !== 'finalizing')
    throw new AppError(
      'recording_not_active',
      `only a finalizing recording can be completed; this one is ${row.state}`,
      { details: { state: row.state } },
    );
  checkSourcePath(row, body.source_path);
  const key = videoKey(row.sessionId, row.id);
  const stored = await store.head(key).catch(mapStoreError);
  if (!stored)
    throw new AppError(
      'validation_failed',
      'the video is not stored: upload it (artifact `video`) before completing',
    );
  if (body.bytes !== undefined && body.bytes !== null && body.bytes !== stored.size)
    throw new AppError(
      'validation_failed',
      `body.bytes (${body.bytes}) differs from the stored file (${stored.size} bytes)`,
    );
  const dom = row.rrweb
    ? await store.head(domKey(row.sessionId, row.id)).catch(mapStoreError)
    : null;
  const [updated] = await db
    .update(sessionRecordings)
    .set({
      state: 'ready',
      mimeType: body.mime_type ?? WEBM,
      bytes: stored.size,
      durationMs: body.duration_ms ?? row.recordedMs ?? 0,
      hasAudio: body.has_audio ?? null,
      storageKey: key,
      domKey: dom ? domKey(row.sessionId, row.id) : null,
      domBytes: dom?.size ?? null,
      domEvents: dom ? (body.dom_event_count ?? null) : null,
      completedAt: now,
      expiresAt: retentionEnd(row, now),
      updatedAt: now,
    })
    .where(and(eq(sessionRecordings.id, row.id), eq(sessionRecordings.state, 'finalizing')))
    .returning();
  if (!updated) throw notActive(await loadRecording(db, row.sessionId, row.id));
  await addEvents(db, [
    {
      sessionId: row.sessionId,
      hostId: row.hostId,
      type: 'recording_ready',
      at: now,
      data: { recording_id: row.id, bytes: stored.size },
    },
  ]);
  await removeParts(store, row);
  return updated;
}

async function removeParts(store: ArtifactStore, row: RecordingRow): Promise<void> {
  const parts = await listParts(store, row).catch(() => []);
  if (parts.length > 0) await store.delete(parts.map((p) => p.key)).catch(() => {});
}

/**
 * A segment ends without its recorder completing it: `failed` with `error`. What the recorder
 * stored while recording (its parts) is kept as the file, so it stays downloadable up to that
 * point; the session's next segment waits a minute.
 */
export async function failRecording(
  db: Queryable,
  store: ArtifactStore | null,
  row: RecordingRow,
  error: string,
  reason: TerminationReason,
  now: Date,
): Promise<RecordingRow> {
  if (row.state === 'ready' || row.state === 'failed') throw notActive(row);
  let salvaged: { size: number } | null = null;
  if (store) salvaged = await assembleParts(store, row).catch(() => null);
  const [updated] = await db
    .update(sessionRecordings)
    .set({
      state: 'failed',
      error: error.slice(0, 2000),
      terminationReason: row.terminationReason ?? reason,
      endedAt: row.endedAt ?? now,
      completedAt: now,
      ...(salvaged
        ? {
            storageKey: videoKey(row.sessionId, row.id),
            bytes: salvaged.size,
            mimeType: WEBM,
            durationMs: row.recordedMs ?? 0,
            expiresAt: retentionEnd(row, now),
          }
        : {}),
      updatedAt: now,
    })
    .where(
      and(
        eq(sessionRecordings.id, row.id),
        inArray(sessionRecordings.state, ['starting', 'recording', 'finalizing']),
      ),
    )
    .returning();
  if (!updated) throw notActive(await loadRecording(db, row.sessionId, row.id));
  if (salvaged && store) await removeParts(store, row);
  await backOff(db, [row.sessionId], now);
  await addEvents(db, [
    {
      sessionId: row.sessionId,
      hostId: row.hostId,
      type: 'recording_failed',
      at: now,
      data: { recording_id: row.id, error: updated.error, salvaged_bytes: salvaged?.size ?? 0 },
    },
  ]);
  return updated;
}

export function failByWorker(
  db: Queryable,
  store: ArtifactStore | null,
  row: RecordingRow,
  body: Fail,
  now: Date,
): Promise<RecordingRow> {
  return failRecording(db, store, row, body.error, body.termination_reason ?? 'worker_exit', now);
}

/**
 * Sweep: segments whose recorder went silent (no report for ABANDON_AFTER_MS, or whose host was
 * lost) are closed with the parts they stored.
 */
export async function closeAbandoned(
  db: Queryable,
  store: ArtifactStore | null,
  now: Date,
): Promise<number> {
  const silentSince = new Date(now.getTime() - ABANDON_AFTER_MS);
  const rows = await db
    .select({ recording: sessionRecordings, hostStatus: hosts.status })
    .from(sessionRecordings)
    .leftJoin(hosts, eq(hosts.id, sessionRecordings.hostId))
    .where(
      and(
        inArray(sessionRecordings.state, ['starting', 'recording', 'finalizing']),
        or(
          sql`coalesce(${sessionRecordings.progressAt}, ${sessionRecordings.updatedAt}) < ${silentSince.toISOString()}::timestamptz`,
          eq(hosts.status, 'lost'),
          isNull(sessionRecordings.hostId),
        ),
      ),
    );
  let closed = 0;
  for (const { recording, hostStatus } of rows) {
    const lostHost = hostStatus === 'lost';
    await failRecording(
      db,
      store,
      recording,
      lostHost
        ? 'the host running the recorder was lost; what it stored is kept'
        : 'the recorder stopped reporting; what it stored is kept',
      'worker_exit',
      now,
    ).catch(() => undefined);
    closed++;
  }
  return closed;
}

/** Sweep: files whose retention ended are removed (the recording stays, without its file). */
export async function applyRetention(
  db: Queryable,
  store: ArtifactStore | null,
  now: Date,
): Promise<number> {
  if (!store) return 0;
  const due = await db
    .select()
    .from(sessionRecordings)
    .where(
      and(
        isNotNull(sessionRecordings.expiresAt),
        lt(sessionRecordings.expiresAt, now),
        isNull(sessionRecordings.artifactRemovedAt),
      ),
    )
    .limit(100);
  for (const row of due) {
    await removeRecordingObjects(store, row);
    await db
      .update(sessionRecordings)
      .set({ artifactRemovedAt: now, updatedAt: now })
      .where(eq(sessionRecordings.id, row.id));
    await dropExports(db, store, row.sessionId);
  }
  return due.length;
}

/** Exports of a session no longer match its segments: removed (rebuilt on the next request). */
export async function dropExports(
  db: Queryable,
  store: ArtifactStore | null,
  sessionId: string,
): Promise<void> {
  const rows = await db
    .delete(recordingExports)
    .where(eq(recordingExports.sessionId, sessionId))
    .returning({ key: recordingExports.storageKey });
  const keys = rows.map((r) => r.key).filter((k): k is string => k !== null);
  if (store && keys.length > 0) await store.delete(keys).catch(() => {});
}

/** `DELETE …/recordings/{id}`: a finished recording and its files. */
export async function deleteRecording(
  db: Queryable,
  store: ArtifactStore | null,
  row: RecordingRow,
): Promise<void> {
  if (ACTIVE_RECORDING_STATES.includes(row.state) || row.state === 'finalizing')
    throw new AppError(
      'recording_already_active',
      `the recording is ${row.state}; stop it and wait until it is ready before deleting it`,
      { details: { state: row.state } },
    );
  if (store) await removeRecordingObjects(store, row);
  await db.delete(sessionRecordings).where(eq(sessionRecordings.id, row.id));
  await dropExports(db, store, row.sessionId);
}
