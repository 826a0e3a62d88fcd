/**
 * The run state machine. Every change of a run's state runs in one transaction that takes the
 * admission lock first and then the run's row (one order everywhere: no deadlocks), writes its
 * events, and — when the run ends — admits queued runs into the capacity it freed.
 *
 *   queued ─admit→ pending ─claim→ starting → running ⇄ awaiting_input
 *   ended: succeeded · failed · cancelled · timed_out   (a lost worker: pending again, or failed)
 */
import { eq } from 'drizzle-orm';
import type { Config } from '../../../config.ts';
import type { Database, Tx } from '../../../db/client.ts';
import { type WorkflowRunRow, workflowRuns } from '../../../db/schema/index.ts';
import { AppError } from '../../../errors.ts';
import { createLogger } from '../../../log.ts';
import { loadSession, releaseSession, safeStop } from '../../sessions.ts';
import { admitQueued, dispatch, lockAdmission } from './admission.ts';
import { addRunEvents, type RunEventInput } from './journal.ts';
import { isTerminal } from './run-resource.ts';

const log = createLogger('workflow-runs');

export type RunPatch = Partial<typeof workflowRuns.$inferInsert>;

export function runNotFound(): AppError {
  return new AppError(
    'workflow_run_not_found',
    'no workflow run with this id exists for the caller',
  );
}

/** The run's row, locked for this transaction. */
export async function lockRun(tx: Tx, id: string): Promise<WorkflowRunRow> {
  const [row] = await tx.select().from(workflowRuns).where(eq(workflowRuns.id, id)).for('update');
  if (!row) throw runNotFound();
  return row;
}

export async function update(tx: Tx, row: WorkflowRunRow, patch: RunPatch, now: Date) {
  const [updated] = await tx
    .update(workflowRuns)
    .set({
      ...patch,
      updatedAt: now,
      ...(patch.state && patch.state !== row.state ? { stateChangedAt: now } : {}),
    })
    .where(eq(workflowRuns.id, row.id))
    .returning();
  return updated as WorkflowRunRow;
}

/** What a transition did, so the caller can act after the commit (stop a session it created). */
export interface Changed {
  row: WorkflowRunRow;
  ended: boolean;
  releaseRuntime?: boolean;
}

/**
 * Runs `change` on the locked run under the admission lock; when it ends the run, queued runs
 * are admitted in the same transaction. Afterwards, a session the run created is stopped.
 */
export async function transition(
  db: Database,
  id: string,
  cfg: Config,
  now: Date,
  change: (tx: Tx, row: WorkflowRunRow) => Promise<Changed>,
): Promise<WorkflowRunRow> {
  const result = await db.transaction(async (tx) => {
    await lockAdmission(tx);
    const row = await lockRun(tx, id);
    const changed = await change(tx, row);
    if (changed.ended) await admitQueued(tx, cfg, now);
    return changed;
  });
  if (result.ended || result.releaseRuntime) await afterwards(db, result, now, cfg);
  return result.row;
}

/**
 * After the commit: an ended run stops the session it created; a run that paused with a
 * `profile_restart` hold releases its session's runtime (the profile stays; the run continues on a
 * fresh browser). Neither happens while people are connected (or automation was delegated).
 */
async function afterwards(db: Database, changed: Changed, now: Date, cfg: Config): Promise<void> {
  const { row } = changed;
  if (changed.ended && row.sessionCreated !== 1) return;
  try {
    const owner = {
      id: row.ownerId,
      name: row.ownerName,
      kind: 'user' as const,
      issuer: row.ownerIssuer,
    };
    const session = await loadSession(db, row.sessionId, owner, 'owner');
    if (changed.ended)
      await safeStop(db, session, now, {
        ignoreCdpAttachments: true,
        reason: 'workflow_run_ended',
      });
    else {
      await releaseSession(db, session, now, cfg, { ignoreCdpAttachments: true });
      await db.transaction(async (tx) => {
        const current = await lockRun(tx, row.id);
        if (current.state !== 'awaiting_input') return;
        await update(
          tx,
          current,
          { runtimeRelease: { released_at: now.toISOString(), release_reason: 'profile_restart' } },
          now,
        );
        await addRunEvents(
          tx,
          current,
          [
            {
              type: 'runtime_released',
              message:
                'the browser was released; the run resumes on a fresh one from the saved profile',
            },
          ],
          now,
        );
      });
    }
  } catch (error) {
    // People are watching (refused), or it stopped already: its idle timeout takes care of it.
    log.info('run session left as it is', { run_id: row.id, reason: (error as Error).message });
  }
}

/** Ends the run in `state` (inside `transition`). */
export async function end(
  tx: Tx,
  row: WorkflowRunRow,
  state: 'succeeded' | 'failed' | 'cancelled' | 'timed_out',
  patch: RunPatch & { reason: string },
  events: RunEventInput[],
  now: Date,
  eventData: Record<string, unknown> = {},
): Promise<Changed> {
  if (isTerminal(row.state))
    throw new AppError('run_state_conflict', `the run has ended already (${row.state})`);
  const updated = await update(
    tx,
    row,
    {
      ...patch,
      state,
      completedAt: now,
      leaseExpiresAt: null,
      cancelRequestedAt: row.cancelRequestedAt,
    },
    now,
  );
  await addRunEvents(
    tx,
    updated,
    [
      ...events,
      {
        type: state,
        message: patch.error ?? patch.reason,
        data: { ...eventData, reason: patch.reason },
      },
    ],
    now,
  );
  return { row: updated, ended: true };
}

/**
 * A run whose worker is gone (lease expired, or the worker gave it back): cancelled if a cancel
 * was asked, pending again (a new job) while attempts remain, else failed with `reason`.
 */
export async function requeueOrFail(
  tx: Tx,
  row: WorkflowRunRow,
  reason: string,
  message: string,
  now: Date,
): Promise<Changed> {
  if (row.cancelRequestedAt)
    return end(tx, row, 'cancelled', { reason: 'cancel_requested' }, [], now);
  const lost = row.lostAttempts + 1;
  if (lost < row.maxAttempts) {
    const updated = await update(
      tx,
      row,
      { state: 'pending', reason, workerId: null, leaseExpiresAt: null, lostAttempts: lost },
      now,
    );
    await addRunEvents(
      tx,
      updated,
      [
        {
          type: 'retrying',
          message,
          data: { reason, lost_attempts: lost, max_attempts: row.maxAttempts },
        },
      ],
      now,
    );
    await dispatch(tx, updated);
    return { row: updated, ended: false };
  }
  return end(
    tx,
    row,
    'failed',
    {
      reason,
      lostAttempts: lost,
      error: `${message}; no attempts left (${lost} of ${row.maxAttempts})`,
    },
    [],
    now,
  );
}
