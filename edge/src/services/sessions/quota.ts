/** The per-user session quota (`MAX_SESSIONS_PER_USER`): how many sessions may be live at once. */
import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Queryable } from '../../db/client.ts';
import { sessions } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';

/** States that hold nothing on a host and count against no quota (a released session's runtime is gone). */
const AT_REST = ['stopped', 'failed', 'released'] as const;

/**
 * Throws `session_quota_exceeded` (429) when `ownerId` already owns `MAX_SESSIONS_PER_USER`
 * sessions that run, start, wait for a host or stop. Call inside the transaction that adds one
 * (creation, a restart), after the scheduler lock, so two requests cannot both take the last slot.
 */
export async function checkSessionQuota(tx: Queryable, ownerId: string, cfg: Config) {
  const [row] = await tx
    .select({ live: sql<number>`count(*)::int` })
    .from(sessions)
    .where(and(eq(sessions.ownerId, ownerId), notInArray(sessions.state, [...AT_REST])));
  const live = Number(row?.live ?? 0);
  if (live >= cfg.maxSessionsPerUser) {
    throw new AppError(
      'session_quota_exceeded',
      `you already have ${live} sessions running or waiting, the most this deployment allows per user (${cfg.maxSessionsPerUser}); stop one first`,
    );
  }
}
