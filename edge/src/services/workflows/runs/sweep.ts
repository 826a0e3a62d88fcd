/**
 * The periodic pass over runs (the edge's sweep: cron, JOBS queue, maintenance route): runs whose
 * worker went silent are retried or failed (never left `running`), paused runs whose hold ran out
 * fail with `intervention_timeout`, runs past their deadline time out, queued runs are admitted.
 */
import { and, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { Config } from '../../../config.ts';
import type { Database } from '../../../db/client.ts';
import { workflowRuns } from '../../../db/schema/index.ts';
import { admitQueued, lockAdmission } from './admission.ts';
import { type Changed, end, requeueOrFail, transition } from './lifecycle.ts';

/** A stuck worker gets this long past the deadline to report before the run times out. */
const DEADLINE_GRACE_MS = 30_000;

export interface RunSweep {
  lost: number;
  hold_expired: number;
  timed_out: number;
  admitted: number;
}

export async function sweepRuns(db: Database, cfg: Config, now: Date): Promise<RunSweep> {
  const result: RunSweep = { lost: 0, hold_expired: 0, timed_out: 0, admitted: 0 };
  const lost = await db
    .select({ id: workflowRuns.id })
    .from(workflowRuns)
    .where(
      and(
        inArray(workflowRuns.state, ['starting', 'running', 'awaiting_input']),
        isNotNull(workflowRuns.leaseExpiresAt),
        lt(workflowRuns.leaseExpiresAt, now),
      ),
    );
  for (const { id } of lost) {
    await transition(db, id, cfg, now, async (tx, run): Promise<Changed> => {
      if (
        !run.leaseExpiresAt ||
        run.leaseExpiresAt >= now ||
        !['starting', 'running', 'awaiting_input'].includes(run.state)
      )
        return { row: run, ended: false };
      result.lost++;
      return requeueOrFail(
        tx,
        run,
        'worker_lost',
        `the worker ${run.workerId ?? ''} stopped reporting`.replace('  ', ' '),
        now,
      );
    }).catch(() => undefined);
  }
  const held = await db
    .select({ id: workflowRuns.id })
    .from(workflowRuns)
    .where(
      and(
        sql`${workflowRuns.state} = 'awaiting_input'`,
        sql`(${workflowRuns.intervention} -> 'hold' ->> 'hold_until')::timestamptz < ${now.toISOString()}::timestamptz`,
      ),
    );
  for (const { id } of held) {
    await transition(db, id, cfg, now, async (tx, run): Promise<Changed> => {
      const until = run.intervention?.hold.hold_until;
      if (run.state !== 'awaiting_input' || !until || Date.parse(until) >= now.getTime())
        return { row: run, ended: false };
      result.hold_expired++;
      return end(
        tx,
        run,
        'failed',
        { reason: 'intervention_timeout', error: `nobody answered the request before ${until}` },
        [],
        now,
      );
    }).catch(() => undefined);
  }
  const late = await db
    .select({ id: workflowRuns.id })
    .from(workflowRuns)
    .where(
      and(
        inArray(workflowRuns.state, ['starting', 'running']),
        lt(workflowRuns.executionDeadlineAt, new Date(now.getTime() - DEADLINE_GRACE_MS)),
      ),
    );
  for (const { id } of late) {
    await transition(db, id, cfg, now, async (tx, run): Promise<Changed> => {
      if (
        !['starting', 'running'].includes(run.state) ||
        !run.executionDeadlineAt ||
        run.executionDeadlineAt.getTime() > now.getTime() - DEADLINE_GRACE_MS
      )
        return { row: run, ended: false };
      result.timed_out++;
      return end(
        tx,
        run,
        'timed_out',
        { reason: 'deadline_passed', error: 'the run passed its execution deadline' },
        [],
        now,
      );
    }).catch(() => undefined);
  }
  result.admitted = (
    await db.transaction(async (tx) => {
      await lockAdmission(tx);
      return admitQueued(tx, cfg, now);
    })
  ).length;
  return result;
}
