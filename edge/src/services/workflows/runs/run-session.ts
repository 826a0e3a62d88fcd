/**
 * A workflow worker reads the files of the session it drives (its browser's downloads, which it
 * turns into the run's produced files): only the session of a run that is under way (starting,
 * running or awaiting input), and nothing else. Every other session answers 404 like a missing one.
 */
import { and, eq, exists, inArray } from 'drizzle-orm';
import type { Queryable } from '../../../db/client.ts';
import { type SessionRow, sessions, workflowRuns } from '../../../db/schema/index.ts';
import { notFound } from '../../sessions/access.ts';

const UNDER_WAY = ['starting', 'running', 'awaiting_input'] as const;

export async function sessionOfActiveRun(db: Queryable, sessionId: string): Promise<SessionRow> {
  const [row] = await db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.id, sessionId),
        exists(
          db
            .select({ id: workflowRuns.id })
            .from(workflowRuns)
            .where(
              and(
                eq(workflowRuns.sessionId, sessionId),
                inArray(workflowRuns.state, [...UNDER_WAY]),
              ),
            ),
        ),
      ),
    );
  if (!row) throw notFound();
  return row;
}
