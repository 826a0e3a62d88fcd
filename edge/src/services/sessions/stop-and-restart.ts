/** Stopping (safely, or by kill) and restarting a session. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { type SessionRow, sessions } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { endSessionRecordings } from '../recordings/lifecycle.ts';
import { addEvents, lockScheduler, placePending } from '../scheduler.ts';
import {
  apiState,
  countConnections,
  isRunningState,
  RUNNING_STATES,
  stopEligibility,
  WAITING_STATES,
} from '../session-view.ts';
import { checkSessionQuota } from './quota.ts';
import { connectionsOf } from './session-status.ts';

/** Stops (or kills) a session: immediately when nothing runs, else via its host (`stopping`). */
export async function stopSession(
  db: Database,
  row: SessionRow,
  mode: 'stopped' | 'killed',
  reason: string,
  now: Date,
): Promise<SessionRow> {
  if (row.state === 'stopped') return row;
  const placed = row.hostId !== null;
  const [updated] = await db
    .update(sessions)
    .set(
      placed
        ? {
            state: 'stopping',
            stopMode: row.stopMode === 'killed' ? 'killed' : mode,
            stopReason: reason,
            idleSince: null,
            updatedAt: now,
          }
        : {
            state: 'stopped',
            stopMode: null,
            stopReason: reason,
            stoppedAt: now,
            queuedAt: null,
            admissionReason: null,
            idleSince: null,
            updatedAt: now,
          },
    )
    .where(eq(sessions.id, row.id))
    .returning();
  await endSessionRecordings(
    db,
    [row.id],
    mode === 'killed' ? 'session_kill' : reason === 'idle_timeout' ? 'idle_stop' : 'session_stop',
    now,
  );
  await addEvents(db, [
    {
      sessionId: row.id,
      hostId: row.hostId,
      type: mode === 'killed' ? 'kill_requested' : 'stop_requested',
      at: now,
      data: { reason },
    },
  ]);
  return updated as SessionRow;
}

/** Refuses (409 with the blockers) while anyone is attached or automation owns the session. */
async function requireStoppable(
  db: Database,
  row: SessionRow,
  what: string,
  options: { ignoreCdpAttachments?: boolean } = {},
): Promise<void> {
  const counts = countConnections(await connectionsOf(db, row.id));
  if (options.ignoreCdpAttachments) counts.automation = 0;
  const eligibility = stopEligibility(row, counts);
  if (eligibility.allowed) return;
  const blockers = eligibility.blockers.map((b) => `${b.kind} ${b.count}`).join(', ');
  throw new AppError(
    'session_not_stoppable',
    `the session is in use (${blockers}); disconnect its clients and automation owner first, or kill it, to ${what}`,
    { details: { stop_eligibility: eligibility } },
  );
}

/**
 * Safe stop: refused (409 with the blockers) while anyone is attached or automation owns it.
 * `ignoreCdpAttachments`: CDP attachments do not block (a workflow run that ended stops the
 * session it created although its host has not yet reported the attachment gone).
 */
export async function safeStop(
  db: Database,
  row: SessionRow,
  now: Date,
  options: { ignoreCdpAttachments?: boolean; reason?: string } = {},
): Promise<SessionRow> {
  await requireStoppable(db, row, 'stop it', options);
  return stopSession(db, row, 'stopped', options.reason ?? 'requested', now);
}

/**
 * Release: the runtime stops (its host is told so in its next heartbeat) and frees its capacity,
 * the resource and its browser profile stay; reconnecting starts a new browser from the profile.
 * Same blockers as a safe stop. Releasing a released session only moves `runtime_released_at`.
 */
export async function releaseSession(
  db: Database,
  row: SessionRow,
  now: Date,
  cfg: Config,
  options: { ignoreCdpAttachments?: boolean } = {},
): Promise<SessionRow> {
  await requireStoppable(db, row, 'release it', options);
  if (row.state !== 'released' && !isRunningState(row.state)) {
    throw new AppError(
      'session_not_releasable',
      row.state === 'stopped'
        ? 'the session is stopped; it has no runtime to release (create a new session, or reconnect to restart it)'
        : `the session is ${apiState(row.state)}; only a session with a runtime can be released`,
    );
  }
  const [updated] = await db.transaction(async (tx) => {
    await lockScheduler(tx);
    const result = await tx
      .update(sessions)
      .set({
        state: 'released',
        runtimeReleasedAt: now,
        stoppedAt: null,
        queuedAt: null,
        idleSince: null,
        stopReason: 'released',
        updatedAt: now,
      })
      .where(and(eq(sessions.id, row.id), inArray(sessions.state, [...RUNNING_STATES, 'released'])))
      .returning();
    await addEvents(tx, [{ sessionId: row.id, hostId: row.hostId, type: 'released', at: now }]);
    await endSessionRecordings(tx, [row.id], 'runtime_release', now);
    // Its place on the host is freed once the host reports the runtime stopped; a waiting session
    // may already fit elsewhere.
    await placePending(tx, now, cfg);
    return result;
  });
  if (!updated)
    throw new AppError('session_not_releasable', 'the session changed state; try again');
  return updated;
}

/** Cancels a session still waiting for a host; a stopped one answers unchanged. */
export async function cancelQueued(db: Database, row: SessionRow, now: Date): Promise<SessionRow> {
  if (row.state === 'stopped') return row;
  if (!WAITING_STATES.includes(row.state)) {
    throw new AppError(
      'session_not_queued',
      `the session is ${apiState(row.state)}; only queued sessions can be cancelled`,
    );
  }
  const [updated] = await db
    .update(sessions)
    .set({
      state: 'stopped',
      stopReason: 'cancelled',
      stoppedAt: now,
      queuedAt: null,
      admissionReason: null,
      idleSince: null,
      updatedAt: now,
    })
    .where(and(eq(sessions.id, row.id), inArray(sessions.state, [...WAITING_STATES])))
    .returning();
  if (!updated) {
    throw new AppError(
      'session_not_queued',
      'the session stopped waiting (it was just placed); only queued sessions can be cancelled',
    );
  }
  await addEvents(db, [{ sessionId: row.id, type: 'cancelled', at: now }]);
  return updated;
}

/**
 * Reconnecting a stopped, released (or failed) session restarts the same resource: it queues again and is
 * placed, preferably on the host that has its browser profile.
 */
export async function restartSession(
  db: Database,
  row: SessionRow,
  now: Date,
  cfg: Config,
): Promise<void> {
  await db.transaction(async (tx) => {
    await lockScheduler(tx);
    await checkSessionQuota(tx, row.ownerId, cfg);
    const reset = {
      stopMode: null,
      stopReason: null,
      stoppedAt: null,
      runtimeError: null,
      runtimeState: null,
      // Policy `always` records the restarted browser; a manual recording ended with the stop.
      recordingWanted: sql<boolean>`${sessions.recordingMode} = 'always'`,
      recordingRetryAt: null,
      updatedAt: now,
    } as const;
    if (row.state === 'failed' && row.hostId !== null) {
      await tx
        .update(sessions)
        .set({ ...reset, state: 'starting', idleSince: now, lastActiveAt: null })
        .where(and(eq(sessions.id, row.id), eq(sessions.state, 'failed')));
    } else {
      await tx
        .update(sessions)
        .set({ ...reset, state: 'queued', queuedAt: now, admissionReason: null })
        .where(
          and(eq(sessions.id, row.id), inArray(sessions.state, ['stopped', 'failed', 'released'])),
        );
    }
    await addEvents(tx, [
      { sessionId: row.id, hostId: row.lastHostId, type: 'restart_requested', at: now },
    ]);
    await placePending(tx, now, cfg);
  });
}
