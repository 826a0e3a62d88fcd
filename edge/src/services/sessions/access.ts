/** Which sessions a caller may see, and loading or listing them (404 for the rest). */
import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { type SessionRow, sessions } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import type { Principal } from '../oidc/principal.ts';

/**
 * Who may see a session. `owner`: only its owner (control routes). `delegate`: its owner and the
 * principals it delegated automation to (reads, status, automation tickets, mcp-owner).
 */
export type Access = 'owner' | 'delegate';

function visibleTo(principal: Principal, access: Access): SQL {
  return access === 'owner'
    ? eq(sessions.ownerId, principal.id)
    : (or(
        eq(sessions.ownerId, principal.id),
        eq(sessions.automationOwnerId, principal.id),
        eq(sessions.mcpOwnerId, principal.id),
      ) as SQL);
}

export function notFound(): AppError {
  return new AppError('session_not_found', 'no session with this id exists for the caller');
}

export async function loadSession(
  db: Queryable,
  id: string,
  principal: Principal,
  access: Access,
): Promise<SessionRow> {
  const [row] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, id), visibleTo(principal, access)));
  if (!row) throw notFound();
  return row;
}

export async function listSessions(
  db: Queryable,
  principal: Principal,
  options: { limit: number; cursor?: string; state?: SessionRow['state'] },
): Promise<{ rows: SessionRow[]; nextCursor: string | null }> {
  const filters: SQL[] = [visibleTo(principal, 'delegate')];
  if (options.cursor) filters.push(lt(sessions.id, options.cursor));
  if (options.state) filters.push(eq(sessions.state, options.state));
  const rows = await db
    .select()
    .from(sessions)
    .where(and(...filters))
    .orderBy(desc(sessions.id))
    .limit(options.limit + 1);
  const more = rows.length > options.limit;
  const page = more ? rows.slice(0, options.limit) : rows;
  return { rows: page, nextCursor: more ? (page[page.length - 1]?.id ?? null) : null };
}
