/** Which sessions a caller may see, and loading or listing them (404 for the rest). */
import { and, desc, eq, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { type SessionRow, sessions } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import type { Principal } from '../oidc/principal.ts';
import { sharedWith } from './shares.ts';

/**
 * Who may see a session. `owner`: only its owner (control routes). `delegate`: its owner and the
 * principals it delegated automation to (automation tickets, mcp-owner, files). `shared`: those and
 * the people it is shared with (reading the session and its status, listing, tickets).
 */
export type Access = 'owner' | 'delegate' | 'shared';

function visibleTo(principal: Principal, access: Access): SQL {
  if (access === 'owner') return eq(sessions.ownerId, principal.id);
  const delegated = [
    eq(sessions.ownerId, principal.id),
    eq(sessions.automationOwnerId, principal.id),
    eq(sessions.mcpOwnerId, principal.id),
  ];
  if (access === 'shared') delegated.push(sharedWith(principal));
  return or(...delegated) as SQL;
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

export interface ListFilter {
  limit: number;
  offset?: number;
  cursor?: string;
  /** Persisted states to include (none: all). */
  states?: readonly SessionRow['state'][];
  /** Labels that must equal these values. */
  labels?: Record<string, string>;
  /** Top-level string members of `integration_context` that must equal these values. */
  integration?: Record<string, string>;
  /** No templates exist: a template filter matches nothing. */
  templateId?: string;
  /** Case-insensitive text the session's name label, id or owner must contain. */
  query?: string;
}

/** A page of the sessions the caller owns, was delegated or was shared, newest first. */
export async function listSessions(
  db: Queryable,
  principal: Principal,
  filter: ListFilter,
): Promise<{ rows: SessionRow[]; nextCursor: string | null }> {
  if (filter.templateId !== undefined || filter.states?.length === 0)
    return { rows: [], nextCursor: null };
  const where: SQL[] = [visibleTo(principal, 'shared')];
  if (filter.query) {
    const like = `%${filter.query.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    where.push(
      sql`(lower(coalesce(${sessions.labels} ->> 'name', '')) like ${like} or ${sessions.id}::text like ${like} or lower(${sessions.ownerName}) like ${like})`,
    );
  }
  if (filter.cursor) where.push(lt(sessions.id, filter.cursor));
  if (filter.states) where.push(inArray(sessions.state, [...filter.states]));
  if (filter.labels && Object.keys(filter.labels).length > 0)
    where.push(sql`${sessions.labels} @> ${JSON.stringify(filter.labels)}::jsonb`);
  for (const [key, value] of Object.entries(filter.integration ?? {}))
    where.push(
      sql`jsonb_typeof(${sessions.integrationContext} -> ${key}) = 'string' and ${sessions.integrationContext} ->> ${key} = ${value}`,
    );
  const rows = await db
    .select()
    .from(sessions)
    .where(and(...where))
    .orderBy(desc(sessions.id))
    .limit(filter.limit + 1)
    .offset(filter.offset ?? 0);
  const more = rows.length > filter.limit;
  const page = more ? rows.slice(0, filter.limit) : rows;
  return { rows: page, nextCursor: more ? (page[page.length - 1]?.id ?? null) : null };
}
