/** An owner's housekeeping: naming a session, and removing one that ended for good. */
import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  type SessionRow,
  sessionRecordings,
  sessions,
  workflowRuns,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import type { ArtifactStore } from '../artifacts/store.ts';

/** States in which nothing runs for a session and nothing will unless someone reconnects it. */
const ENDED: ReadonlySet<SessionRow['state']> = new Set(['stopped', 'failed', 'released']);

export async function renameSession(
  db: Queryable,
  row: SessionRow,
  displayName: string | null,
  now: Date,
): Promise<SessionRow> {
  const [updated] = await db
    .update(sessions)
    .set({ displayName: displayName?.trim() || null, updatedAt: now })
    .where(eq(sessions.id, row.id))
    .returning();
  return updated ?? row;
}

/**
 * Removes an ended session no workflow run used: its stored objects (`sessions/<id>/…`: files,
 * saved profiles, recordings), then its record, which takes its files, shares, recordings,
 * connections and events with it. A recording still being saved is waited for (409). The objects go
 * first, so a failure leaves a session to retry the purge on, never objects nobody can find.
 */
export async function purgeSession(
  db: Queryable,
  row: SessionRow,
  store: ArtifactStore | null,
): Promise<void> {
  const [run] = await db
    .select({ id: workflowRuns.id })
    .from(workflowRuns)
    .where(eq(workflowRuns.sessionId, row.id))
    .limit(1);
  if (run)
    throw new AppError(
      'session_has_runs',
      'workflow runs used this session: their history refers to it, so it cannot be removed (stop it instead)',
    );
  if (!ENDED.has(row.state))
    throw new AppError(
      'session_not_ended',
      `the session is ${row.state}: stop it before removing it (only stopped, failed or released sessions can be removed)`,
    );
  const [saving] = await db
    .select({ id: sessionRecordings.id })
    .from(sessionRecordings)
    .where(
      and(
        eq(sessionRecordings.sessionId, row.id),
        inArray(sessionRecordings.state, ['starting', 'recording', 'finalizing']),
      ),
    )
    .limit(1);
  if (saving)
    throw new AppError(
      'recording_already_active',
      'a recording of this session is still being saved; remove the session once it is ready',
      { headers: { 'retry-after': '5' } },
    );
  if (store) {
    const prefix = `sessions/${row.id}/`;
    let cursor: string | undefined;
    do {
      const page = await store.list(prefix, { limit: 500, ...(cursor ? { cursor } : {}) });
      if (page.objects.length > 0) await store.delete(page.objects.map((o) => o.key));
      cursor = page.cursor ?? undefined;
    } while (cursor);
  }
  await db.delete(sessions).where(eq(sessions.id, row.id));
}
