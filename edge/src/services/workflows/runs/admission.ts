/**
 * Admission: how many runs may be active (pending, starting, running, awaiting_input) pool-wide
 * and per owner. Runs over capacity wait durably in `queued` and are admitted in order
 * (queued_at, id) as capacity frees — in the same transaction as the change that freed it, and in
 * the sweep as a safety net. One advisory lock serializes admission decisions.
 */
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { Config } from '../../../config.ts';
import type { Queryable } from '../../../db/client.ts';
import { type WorkflowRunRow, workflowRuns } from '../../../db/schema/index.ts';
import { addJob, JOBS } from '../job-queue.ts';
import { addRunEvents } from './journal.ts';
import { ACTIVE } from './run-resource.ts';

const ADMISSION_LOCK = 0x42_50_77_72;

export async function lockAdmission(tx: Queryable): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${ADMISSION_LOCK})`);
}

export interface Load {
  total: number;
  byOwner: Map<string, number>;
}

export async function activeLoad(tx: Queryable): Promise<Load> {
  const rows = await tx
    .select({ owner: workflowRuns.ownerId, n: count() })
    .from(workflowRuns)
    .where(inArray(workflowRuns.state, [...ACTIVE]))
    .groupBy(workflowRuns.ownerId);
  const byOwner = new Map(rows.map((r) => [r.owner, Number(r.n)]));
  return { total: [...byOwner.values()].reduce((a, b) => a + b, 0), byOwner };
}

/** Why a run of `owner` cannot be admitted now, or null when it can. */
export function blocker(load: Load, owner: string, cfg: Config): string | null {
  if (load.total >= cfg.workflowMaxActiveRuns) return 'workflow_worker_capacity';
  if ((load.byOwner.get(owner) ?? 0) >= cfg.workflowMaxActiveRunsPerOwner) return 'owner_quota';
  return null;
}

/** Enqueues the run's job (the worker takes it from there). */
export async function dispatch(
  tx: Queryable,
  run: Pick<WorkflowRunRow, 'id' | 'attempt'>,
): Promise<void> {
  await addJob(
    tx,
    JOBS.run,
    { run_id: run.id },
    { jobKey: `workflow_run:${run.id}`, maxAttempts: 3 },
  );
}

/**
 * Admits queued runs in order while there is room (call with the admission lock held). A run
 * whose owner is at quota waits without holding back other owners' runs.
 */
export async function admitQueued(tx: Queryable, cfg: Config, now: Date): Promise<string[]> {
  const load = await activeLoad(tx);
  if (load.total >= cfg.workflowMaxActiveRuns) return [];
  const queued = await tx
    .select()
    .from(workflowRuns)
    .where(eq(workflowRuns.state, 'queued'))
    .orderBy(asc(workflowRuns.queuedAt), asc(workflowRuns.id))
    .limit(200);
  const admitted: string[] = [];
  for (const run of queued) {
    const why = blocker(load, run.ownerId, cfg);
    if (why === 'workflow_worker_capacity') break;
    if (why) {
      if (run.admissionReason !== why)
        await tx
          .update(workflowRuns)
          .set({ admissionReason: why })
          .where(eq(workflowRuns.id, run.id));
      continue;
    }
    await tx
      .update(workflowRuns)
      .set({
        state: 'pending',
        reason: 'admitted',
        stateChangedAt: now,
        admissionReason: null,
        updatedAt: now,
      })
      .where(and(eq(workflowRuns.id, run.id), eq(workflowRuns.state, 'queued')));
    await dispatch(tx, run);
    await addRunEvents(
      tx,
      run,
      [{ type: 'admitted', message: 'capacity freed: the run is handed to a workflow worker' }],
      now,
    );
    load.total++;
    load.byOwner.set(run.ownerId, (load.byOwner.get(run.ownerId) ?? 0) + 1);
    admitted.push(run.id);
  }
  return admitted;
}
