import { and, isNotNull, lt, or } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { devOidcUsedCodes, hostCommands, sessionEvents } from '../db/schema/index.ts';
import { createLogger } from '../log.ts';
import { lockScheduler, markLostHosts, placePending, stopIdleSessions } from './scheduler.ts';
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
}

/**
 * The periodic pass (cron, and `sweep` jobs): mark late hosts lost, stop idle sessions, place
 * waiting sessions, retry or fail workflow runs whose worker went silent (and end paused runs
 * whose hold ran out), and drop old acknowledged commands, events and redeemed dev codes.
 */
export async function sweep(
  db: Database,
  now: Date,
  cfg: Config,
): Promise<SweepResult & { workflowRuns: RunSweep }> {
  const lost = await markLostHosts(db, now, cfg);
  const idle = await db.transaction(async (tx) => {
    await lockScheduler(tx);
    return stopIdleSessions(tx, now);
  });
  const placed = await db.transaction((tx) => placePending(tx, now, cfg));
  const runs = await sweepRuns(db, cfg, now);
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
  return {
    lost_hosts: lost.length,
    idle_stopped: idle.length,
    placed: placed.length,
    workflowRuns: runs,
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
  trigger: string,
): Promise<SweepResult> {
  const { workflowRuns, ...result } = await sweep(db, now, cfg);
  log.info('sweep', { trigger, ...result });
  if (Object.values(workflowRuns).some((n) => n > 0))
    log.info('workflow_run_sweep', { trigger, ...workflowRuns });
  return result;
}
