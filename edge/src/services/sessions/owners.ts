/** Automation and MCP owners, and the idle timer that runs while a session has no user. */
import { eq, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client.ts';
import { type SessionRow, sessions } from '../../db/schema/index.ts';
import { addEvents } from '../scheduler.ts';
import { RUNNING_STATES } from '../session-view.ts';

/** Recomputes when the idle timer started: it runs while nobody (person or automation) uses it. */
export async function refreshIdle(
  db: Queryable,
  sessionId: string,
  now: Date,
): Promise<SessionRow> {
  const [row] = await db
    .update(sessions)
    .set({
      idleSince: sql`case when ${sessions.state} in (${sql.join(
        RUNNING_STATES.map((s) => sql`${s}`),
        sql`, `,
      )}) and ${sessions.automationOwnerId} is null and ${sessions.mcpOwnerId} is null and not exists (select 1 from "session_connections" c where c."session_id" = "sessions"."id" and c."role" <> 'recorder') then coalesce(${sessions.idleSince}, ${now.toISOString()}::timestamptz) else null end`,
      updatedAt: now,
    })
    .where(eq(sessions.id, sessionId))
    .returning();
  return row as SessionRow;
}

export async function setOwners(
  db: Database,
  row: SessionRow,
  patch: Partial<
    Pick<
      SessionRow,
      | 'automationOwnerId'
      | 'automationOwnerName'
      | 'automationOwnerIssuer'
      | 'mcpOwnerId'
      | 'mcpOwnerName'
    >
  >,
  event: string,
  now: Date,
): Promise<SessionRow> {
  await db.update(sessions).set(patch).where(eq(sessions.id, row.id));
  await addEvents(db, [
    { sessionId: row.id, hostId: row.hostId, type: event, at: now, data: patch },
  ]);
  return refreshIdle(db, row.id, now);
}
