import { and, isNotNull, lt, or } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { devOidcUsedCodes, hostCommands, sessionEvents } from '../db/schema/index.ts';
import { createLogger } from '../log.ts';
import type { ArtifactStore } from './artifacts/index.ts';
import { endSessionRecordings } from './recordings/lifecycle.ts';
import { applyRetention, closeAbandoned } from './recordings/worker.ts';
import { lockScheduler, markLostHosts, placePending, stopIdleSessions } from './scheduler.ts';
import { recoverLostDeliveries } from './webhooks/deliveries.ts';
import { type RunSweep, sweepRuns } from './workflows/runs/sweep.ts';

const log = createLogger('sweep');

export type { Job } from '../env.ts';

const COMMAND_RETENTION_MS = 60 * 60_000;
const EVENT_RETENTION_MS = 7 * 24 * 60 * 60_000;

/** What the sweep did to sessions and hosts: the answer of the maintenance route. */
export interface SweepResult {
  lost_hosts: number;
  idle_stopped: number;
  placed: number;
  recordings_closed: number;
  recordings_expired: number;
}

/**
 * The periodic pass (cron, and `sweep` jobs): mark late hosts lost, stop idle sessions, place
 * waiting sessions, retry or fail workflow runs whose worker went silent (and end paused runs
 * whose hold ran out), close recordings whose recorder went away (keeping what it stored), remove
 * recordings past their retention, and drop old acknowledged commands, events and redeemed dev
 * codes. `store` is null on an edge without an artifact store.
 */
export async function sweep(
  db: Database,
  now: Date,
  cfg: Config,
  store: ArtifactStore | null,
): Promise<SweepResult & { workflowRuns: RunSweep & { lost_deliveries: number } }> {
  const lost = await markLostHosts(db, now, cfg);
  const idle = await db.transaction(async (tx) => {
    await lockScheduler(tx);
    const stopped = await stopIdleSessions(tx, now);
    await endSessionRecordings(tx, stopped, 'idle_stop', now);
    return stopped;
  });
  const placed = await db.transaction((tx) => placePending(tx, now, cfg));
  const runs = await sweepRuns(db, cfg, now);
  const deliveries = await recoverLostDeliveries(db, cfg, now);
  const commandsBefore = new Date(now.getTime() - COMMAND_RETENTION_MS);
  await db
    .delete(hostCommands)
    .where(
      or(
        and(isNotNull(hostCommands.ackedAt), lt(hostCommands.ackedAt, commandsBefore)),
        lt(hostCommands.createdAt, commandsBefore),
      ),
    );
  await db
    .delete(sessionEvents)
    .where(lt(sessionEvents.createdAt, new Date(now.getTime() - EVENT_RETENTION_MS)));
  await db.delete(devOidcUsedCodes).where(lt(devOidcUsedCodes.expiresAt, now));
  const closed = await closeAbandoned(db, store, now);
  const expired = await applyRetention(db, store, now).catch((err: unknown) => {
    log.warn('recording retention failed (artifact store)', { err: String(err) });
    return 0;
  });
  return {
    lost_hosts: lost.length,
    idle_stopped: idle.length,
    placed: placed.length,
    recordings_closed: closed,
    recordings_expired: expired,
    workflowRuns: { ...runs, lost_deliveries: deliveries },
  };
}

/**
 * The sweep as every trigger runs it: the Worker's cron (`scheduled`), a `sweep` job on the JOBS
 * queue, and `POST /api/v1/maintenance/sweep` (plain workerd, which has no cron). One `sweep` log
 * line each, of the same shape as the route's answer (sessions and hosts); the workflow-run part
 * writes its own `workflow_run_sweep` line, only when it changed a run.
 */
export async function runSweep(
  db: Database,
  now: Date,
  cfg: Config,
  store: ArtifactStore | null,
  trigger: string,
): Promise<SweepResult> {
  const { workflowRuns, ...result } = await sweep(db, now, cfg, store);
  log.info('sweep', { trigger, ...result });
  if (Object.values(workflowRuns).some((n) => n > 0))
    log.info('workflow_run_sweep', { trigger, ...workflowRuns });
  return result;
}
