/**
 * A workflow worker reads the files of the session it drives (its browser's downloads, which it
 * turns into the run's produced files): only the session of a run it is executing now — the run
 * is under way (starting, running or awaiting input), the worker shows that attempt's lease
 * (`x-bpane-run-lease`, run-lease.ts), and the session is the run owner's. Every other session,
 * and any session without the lease, answers 404 like a missing one.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../../../db/client.ts';
import {
  type SessionRow,
  sessions,
  type WorkflowRunRow,
  workflowRuns,
} from '../../../db/schema/index.ts';
import { notFound } from '../../sessions/access.ts';

const UNDER_WAY = ['starting', 'running', 'awaiting_input'] as const;

export async function sessionOfLeasedRun(
  db: Queryable,
  sessionId: string,
  leaseHash: string | null,
): Promise<SessionRow> {
  return (await leasedRun(db, sessionId, leaseHash)).session;
}

/**
 * The run under way on `sessionId` whose current lease the caller shows (the owner's session);
 * 404 like a missing session otherwise. What a workflow worker reads of the session through it is
 * limited to that run's own resources (its workspace inputs).
 */
export async function leasedRunOnSession(
  db: Queryable,
  sessionId: string,
  leaseHash: string | null,
): Promise<WorkflowRunRow> {
  return (await leasedRun(db, sessionId, leaseHash)).run;
}

/** The run and its session, when the lease is that of a run under way on the owner's session. */
async function leasedRun(
  db: Queryable,
  sessionId: string,
  leaseHash: string | null,
): Promise<{ run: WorkflowRunRow; session: SessionRow }> {
  if (!leaseHash) throw notFound();
  // a lease hash names one run attempt: at most one row
  const [row] = await db
    .select({ run: workflowRuns, session: sessions })
    .from(workflowRuns)
    .innerJoin(sessions, eq(sessions.id, workflowRuns.sessionId))
    .where(
      and(
        eq(workflowRuns.sessionId, sessionId),
        eq(workflowRuns.ownerId, sessions.ownerId),
        eq(workflowRuns.leaseTokenHash, leaseHash),
        inArray(workflowRuns.state, [...UNDER_WAY]),
      ),
    );
  if (!row) throw notFound();
  return row;
}
