/**
 * A recording's life: started through the API (`manual`) or by the `always` policy whenever the
 * browser runs, recorded by its host's recording worker (which reports progress), stopped by
 * the owner, by the session ending or by the recorder itself (`finalizing`), then completed
 * (`ready`) or failed. The session's `recording_wanted` says whether a recorder should run: a
 * segment that ends while it is still wanted (a browser restart, a recorder reconnect) is followed
 * by the next one, linked by `previous_recording_id`.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  ACTIVE_RECORDING_STATES,
  type RecordingRow,
  type SessionRow,
  sessionRecordings,
  sessions,
  type TerminationReason,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { uuidv7 } from '../crypto.ts';
import { addEvents } from '../scheduler.ts';
import { isRunningState } from '../session-view.ts';

/** After a failed segment, the next one waits this long (a broken store or recorder does not loop). */
export const RETRY_AFTER_FAILURE_MS = 60_000;

export function recordingNotFound(): AppError {
  return new AppError('recording_not_found', 'no recording with this id exists in this session');
}

export async function listRecordings(db: Queryable, sessionId: string): Promise<RecordingRow[]> {
  return db
    .select()
    .from(sessionRecordings)
    .where(eq(sessionRecordings.sessionId, sessionId))
    .orderBy(asc(sessionRecordings.sequence));
}

export async function loadRecording(
  db: Queryable,
  sessionId: string,
  recordingId: string,
): Promise<RecordingRow> {
  const [row] = await db
    .select()
    .from(sessionRecordings)
    .where(and(eq(sessionRecordings.sessionId, sessionId), eq(sessionRecordings.id, recordingId)));
  if (!row) throw recordingNotFound();
  return row;
}

function isActive(row: RecordingRow): boolean {
  return ACTIVE_RECORDING_STATES.includes(row.state);
}

async function activeOf(db: Queryable, sessionId: string): Promise<RecordingRow | undefined> {
  const [row] = await db
    .select()
    .from(sessionRecordings)
    .where(
      and(
        eq(sessionRecordings.sessionId, sessionId),
        inArray(sessionRecordings.state, [...ACTIVE_RECORDING_STATES]),
      ),
    );
  return row;
}

/** A new segment of `session` (the next in its chain); null when one is already active. */
async function insertSegment(
  db: Queryable,
  session: SessionRow,
  trigger: RecordingRow['trigger'],
  now: Date,
): Promise<RecordingRow | null> {
  const [last] = await db
    .select({ id: sessionRecordings.id, sequence: sessionRecordings.sequence })
    .from(sessionRecordings)
    .where(eq(sessionRecordings.sessionId, session.id))
    .orderBy(desc(sessionRecordings.sequence))
    .limit(1);
  const [row] = await db
    .insert(sessionRecordings)
    .values({
      id: uuidv7(now.getTime()),
      sessionId: session.id,
      sequence: (last?.sequence ?? 0) + 1,
      previousRecordingId: last?.id ?? null,
      state: 'starting',
      trigger,
      includeAudio: session.recordingAudio,
      rrweb: session.recordingRrweb,
      hostId: session.hostId,
      retentionSec: session.recordingRetentionSec,
      startedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    // At most one active segment per session (a partial unique index): a concurrent start loses.
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  await addEvents(db, [
    {
      sessionId: session.id,
      hostId: session.hostId,
      type: 'recording_started',
      at: now,
      data: { recording_id: row.id, trigger, sequence: row.sequence },
    },
  ]);
  return row;
}

/** `POST …/recordings`: the owner starts recording a running session. */
export async function startByOwner(
  db: Queryable,
  session: SessionRow,
  now: Date,
): Promise<RecordingRow> {
  if (session.recordingMode === 'disabled')
    throw new AppError(
      'recording_disabled',
      "this session's recording policy is `disabled`; create the session with `recording.mode` `manual` or `always` to record it",
    );
  if (!isRunningState(session.state) || session.hostId === null)
    throw new AppError(
      'session_not_running',
      `the session is ${session.state}; recordings start while its browser runs`,
    );
  const active = await activeOf(db, session.id);
  if (active)
    throw new AppError('recording_already_active', 'a recording of this session is running', {
      details: { active_recording_id: active.id },
    });
  const row = await insertSegment(db, session, 'manual', now);
  if (!row)
    throw new AppError('recording_already_active', 'a recording of this session just started');
  await db
    .update(sessions)
    .set({ recordingWanted: true, recordingRetryAt: null, updatedAt: now })
    .where(eq(sessions.id, session.id));
  return row;
}

/** Moves an active segment to `finalizing`; the recorder then closes and stores the file. */
async function finalize(
  db: Queryable,
  row: RecordingRow,
  reason: TerminationReason,
  now: Date,
): Promise<RecordingRow> {
  const [updated] = await db
    .update(sessionRecordings)
    .set({ state: 'finalizing', terminationReason: reason, endedAt: now, updatedAt: now })
    .where(
      and(
        eq(sessionRecordings.id, row.id),
        inArray(sessionRecordings.state, [...ACTIVE_RECORDING_STATES]),
      ),
    )
    .returning();
  if (!updated) return loadRecording(db, row.sessionId, row.id);
  await addEvents(db, [
    {
      sessionId: row.sessionId,
      hostId: row.hostId,
      type: 'recording_stopped',
      at: now,
      data: { recording_id: row.id, reason },
    },
  ]);
  return updated;
}

/** `POST …/stop`: the owner stops a recording (and the session stops wanting one). */
export async function stopByOwner(
  db: Queryable,
  row: RecordingRow,
  now: Date,
): Promise<RecordingRow> {
  if (row.state === 'finalizing') return row;
  if (!isActive(row))
    throw new AppError('recording_not_active', `the recording is already ${row.state}`, {
      details: { state: row.state },
    });
  await db
    .update(sessions)
    .set({ recordingWanted: false, updatedAt: now })
    .where(eq(sessions.id, row.sessionId));
  return finalize(db, row, 'manual_stop', now);
}

/** Why a session's segment ends when the session does (its stop mode and reason). */
export function endReason(session: Pick<SessionRow, 'stopMode' | 'stopReason' | 'state'>) {
  if (session.stopMode === 'killed' || session.stopReason === 'killed') return 'session_kill';
  if (session.state === 'released' || session.stopReason === 'released') return 'runtime_release';
  if (session.stopReason === 'idle_timeout') return 'idle_stop';
  return 'session_stop';
}

/**
 * The session stops (or is released, or stopped idle): its active segments finalize with that
 * reason and it no longer wants a recorder (policy `always` wants one again when it restarts).
 */
export async function endSessionRecordings(
  db: Queryable,
  sessionIds: readonly string[],
  reason: TerminationReason,
  now: Date,
): Promise<void> {
  if (sessionIds.length === 0) return;
  await db
    .update(sessions)
    .set({ recordingWanted: false })
    .where(and(inArray(sessions.id, [...sessionIds]), eq(sessions.recordingWanted, true)));
  const active = await db
    .select()
    .from(sessionRecordings)
    .where(
      and(
        inArray(sessionRecordings.sessionId, [...sessionIds]),
        inArray(sessionRecordings.state, [...ACTIVE_RECORDING_STATES]),
      ),
    );
  for (const row of active) await finalize(db, row, reason, now);
}

/**
 * Heartbeat: the segments the host's running sessions should have. A running browser whose
 * session wants a recorder gets a new segment when none is active (unless the last one failed
 * recently); a session that no longer runs finalizes its active segment.
 */
export async function syncSessionRecordings(
  db: Queryable,
  placed: readonly SessionRow[],
  hasRecorder: boolean,
  now: Date,
): Promise<void> {
  for (const session of placed) {
    if (!isRunningState(session.state)) {
      if (session.state === 'stopping' || session.state === 'released')
        await endSessionRecordings(db, [session.id], endReason(session), now);
      continue;
    }
    const browserUp = session.runtimeState === 'running';
    if (
      !hasRecorder ||
      !browserUp ||
      session.recordingMode === 'disabled' ||
      !session.recordingWanted ||
      (session.recordingRetryAt !== null && session.recordingRetryAt > now)
    )
      continue;
    if (await activeOf(db, session.id)) continue;
    await insertSegment(db, session, session.recordingMode === 'always' ? 'always' : 'manual', now);
  }
}

/** Segments a host without a recording worker cannot record: failed at once, with why. */
export async function failUnrecordable(db: Queryable, hostId: string, now: Date): Promise<void> {
  const rows = await db
    .update(sessionRecordings)
    .set({
      state: 'failed',
      error: 'the host running this session has no recording worker',
      terminationReason: 'worker_exit',
      endedAt: sql`coalesce(${sessionRecordings.endedAt}, ${now.toISOString()}::timestamptz)`,
      completedAt: now,
      updatedAt: now,
    })
    .where(
      and(
        eq(sessionRecordings.hostId, hostId),
        inArray(sessionRecordings.state, ['starting', 'recording', 'finalizing']),
        eq(sessionRecordings.parts, 0),
      ),
    )
    .returning({ sessionId: sessionRecordings.sessionId });
  if (rows.length > 0)
    await backOff(
      db,
      rows.map((r) => r.sessionId),
      now,
    );
}

/** The next segment of these sessions starts no earlier than a minute from now. */
export async function backOff(db: Queryable, sessionIds: string[], now: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ recordingRetryAt: new Date(now.getTime() + RETRY_AFTER_FAILURE_MS) })
    .where(inArray(sessions.id, sessionIds));
}
