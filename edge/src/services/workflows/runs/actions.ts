/**
 * What a run's owner does to it: cancel, and answer a paused run (submit input, resume, reject).
 * An answer goes back to the worker that holds the browser live (`running`), or — when nobody
 * holds it (a `profile_restart` hold, or its worker was lost) — the run is handed to a worker again
 * (`pending`), which replays every answer so far to the entrypoint.
 */
import { and, eq } from 'drizzle-orm';
import type { Config } from '../../../config.ts';
import type { Database, Tx } from '../../../db/client.ts';
import { type ResolutionRow, type WorkflowRunRow, workflowRuns } from '../../../db/schema/index.ts';
import { AppError } from '../../../errors.ts';
import type { Principal } from '../../oidc/principal.ts';
import { validateAgainst } from '../json-schema.ts';
import { dispatch } from './admission.ts';
import { addRunEvents } from './journal.ts';
import { type Changed, end, runNotFound, transition, update } from './lifecycle.ts';
import { isTerminal } from './run-resource.ts';

/** The caller's run (404 for anyone else's). */
export async function loadOwnRun(
  db: Database | Tx,
  id: string,
  principal: Principal,
): Promise<WorkflowRunRow> {
  const [row] = await db
    .select()
    .from(workflowRuns)
    .where(and(eq(workflowRuns.id, id), eq(workflowRuns.ownerId, principal.id)));
  if (!row) throw runNotFound();
  return row;
}

export async function cancelRun(
  db: Database,
  row: WorkflowRunRow,
  principal: Principal,
  cfg: Config,
  now: Date,
) {
  return transition(db, row.id, cfg, now, async (tx, run): Promise<Changed> => {
    if (isTerminal(run.state))
      throw new AppError(
        'run_state_conflict',
        `the run has ended already (${run.state}); nothing to cancel`,
      );
    const by = { actor_subject: principal.id, actor_display_name: principal.name };
    if (run.state === 'starting' || run.state === 'running') {
      if (run.cancelRequestedAt) return { row: run, ended: false };
      const updated = await update(
        tx,
        run,
        { cancelRequestedAt: now, reason: 'cancel_requested' },
        now,
      );
      await addRunEvents(
        tx,
        run,
        [{ type: 'cancel_requested', message: 'the worker stops the entrypoint', data: by }],
        now,
      );
      return { row: updated, ended: false };
    }
    return end(
      tx,
      run,
      'cancelled',
      { reason: 'cancelled', cancelRequestedAt: now },
      [{ type: 'cancel_requested', message: 'cancelled by its owner', data: by }],
      now,
    );
  });
}

type Answer =
  | { action: 'submit_input'; input: unknown; comment: string | null; details: unknown }
  | { action: 'resume'; comment: string | null; details: unknown }
  | { action: 'reject'; reason: string; details: unknown };

/** Answers the pending request of a paused run. */
export async function answerRun(
  db: Database,
  row: WorkflowRunRow,
  principal: Principal,
  answer: Answer,
  cfg: Config,
  now: Date,
) {
  return transition(db, row.id, cfg, now, async (tx, run): Promise<Changed> => {
    if (run.state !== 'awaiting_input' || !run.intervention)
      throw new AppError('run_state_conflict', `the run is ${run.state}, not awaiting input`);
    if (answer.action === 'submit_input')
      validateAgainst(run.intervention.input_schema, answer.input, 'input');
    const resolution: ResolutionRow = {
      request_id: run.intervention.request_id,
      action: answer.action,
      input: answer.action === 'submit_input' ? (answer.input ?? null) : null,
      reason: answer.action === 'reject' ? answer.reason : answer.comment,
      actor_subject: principal.id,
      actor_issuer: principal.issuer,
      actor_display_name: principal.name,
      details: answer.details ?? null,
      resolved_at: now.toISOString(),
    };
    const resolutions = [...run.resolutions, resolution];
    const eventType = { submit_input: 'input_submitted', resume: 'resumed', reject: 'rejected' }[
      answer.action
    ];
    const event = {
      type: eventType,
      message: `${principal.name}: ${answer.action.replace('_', ' ')}`,
      data: { request_id: resolution.request_id, actor_subject: principal.id },
    };
    if (answer.action === 'reject')
      return end(
        tx,
        run,
        'failed',
        { reason: 'rejected', error: `rejected: ${answer.reason}`, resolutions },
        [event],
        now,
      );
    // The time paused does not count against the execution deadline.
    const paused = now.getTime() - Date.parse(run.intervention.requested_at);
    const deadline = run.executionDeadlineAt
      ? new Date(run.executionDeadlineAt.getTime() + Math.max(0, paused))
      : null;
    const held =
      run.intervention.hold.mode === 'live_runtime' &&
      !run.runtimeRelease &&
      run.leaseExpiresAt !== null &&
      run.leaseExpiresAt.getTime() > now.getTime();
    const updated = await update(
      tx,
      run,
      held
        ? { state: 'running', reason: eventType, resolutions, executionDeadlineAt: deadline }
        : {
            state: 'pending',
            reason: eventType,
            resolutions,
            executionDeadlineAt: null,
            workerId: null,
            leaseExpiresAt: null,
          },
      now,
    );
    await addRunEvents(tx, updated, [event], now);
    if (!held) await dispatch(tx, updated);
    return { row: updated, ended: false };
  });
}
