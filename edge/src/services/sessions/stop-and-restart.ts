/** Stopping (safely, or by kill) and restarting a session. */
import { and, eq, inArray } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { type SessionRow, sessions } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { addEvents, lockScheduler, placePending } from '../scheduler.ts';
import { countConnections, stopEligibility } from '../session-view.ts';
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

/** Safe stop: refused (409 with the blockers) while anyone is attached or automation owns it. */
export async function safeStop(db: Database, row: SessionRow, now: Date): Promise<SessionRow> {
  const eligibility = stopEligibility(row, countConnections(await connectionsOf(db, row.id)));
  if (!eligibility.allowed) {
    throw new AppError(
      'session_not_stoppable',
      'the session is in use; disconnect its clients and automation owner first, or kill it',
      {
        details: { stop_eligibility: eligibility },
      },
    );
  }
  return stopSession(db, row, 'stopped', 'requested', now);
}

/**
 * Reconnecting a stopped (or failed) session restarts the same resource: it queues again and is
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
        .where(and(eq(sessions.id, row.id), inArray(sessions.state, ['stopped', 'failed'])));
    }
    await addEvents(tx, [
      { sessionId: row.id, hostId: row.lastHostId, type: 'restart_requested', at: now },
    ]);
    await placePending(tx, now, cfg);
  });
}
