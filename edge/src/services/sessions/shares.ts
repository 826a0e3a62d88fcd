/**
 * Sharing a session: the owner invites a person (by `sub` or e-mail) or makes a link, each with a
 * role (`viewer` watches, `collaborator` also drives) and an optional expiry. Revoking a share
 * bumps the session's grant generation, like removing an automation delegate: the tickets its
 * people hold stop admitting and their live connections are cut at the host's next heartbeat.
 */
import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client.ts';
import {
  type SessionRow,
  type ShareRole,
  type ShareRow,
  sessionShares,
  sessions,
  shareRedemptions,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { randomToken, sha256Hex, uuidv7 } from '../crypto.ts';
import type { Principal } from '../oidc/principal.ts';
import { addEvents } from '../scheduler.ts';
import { isRunningState } from '../session-view.ts';
import { queueCommand } from './host-commands.ts';
import { connectionsOf } from './session-status.ts';

/** What a person may do on a session: own it, drive it (shared), watch it (shared). */
export type ShareAccess = ShareRole | null;

/**
 * SQL true when the principal holds a live (unexpired) share of `sessions.id`: addressed to their
 * `sub` or their e-mail, or a link they redeemed. `role` narrows it to shares with that role.
 */
export function sharedWith(principal: Principal, role?: ShareRole): SQL {
  const email = principal.email ?? null;
  return sql`exists (select 1 from ${sessionShares} sh where sh.session_id = ${sessions.id}
    and (sh.expires_at is null or sh.expires_at > now())
    ${role ? sql`and sh.role = ${role}` : sql``}
    and (sh.subject = ${principal.id}
      or (${email}::text is not null and sh.email = ${email}::text)
      or exists (select 1 from ${shareRedemptions} r where r.share_id = sh.id and r.principal_id = ${principal.id})))`;
}

/** The strongest live share `principal` holds on each of `sessionIds` (absent: none). */
export async function shareRoles(
  db: Queryable,
  principal: Principal,
  sessionIds: readonly string[],
): Promise<Map<string, ShareRole>> {
  const out = new Map<string, ShareRole>();
  if (sessionIds.length === 0) return out;
  const email = principal.email ?? null;
  const rows = await db
    .select({ sessionId: sessionShares.sessionId, role: sessionShares.role })
    .from(sessionShares)
    .where(
      sql`${sessionShares.sessionId} in (${sql.join(
        sessionIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )}) and (${sessionShares.expiresAt} is null or ${sessionShares.expiresAt} > now())
      and (${sessionShares.subject} = ${principal.id}
        or (${email}::text is not null and ${sessionShares.email} = ${email}::text)
        or exists (select 1 from ${shareRedemptions} r where r.share_id = ${sessionShares.id} and r.principal_id = ${principal.id}))`,
    );
  for (const r of rows)
    if (r.role === 'collaborator' || !out.has(r.sessionId)) out.set(r.sessionId, r.role);
  return out;
}

export interface NewShare {
  role: ShareRole;
  subject?: string;
  email?: string;
  link?: boolean;
  expiresAt: Date | null;
}

/** A share as the API shows it; `token` only once, when a link is made. */
export interface ShareView {
  share: ShareRow;
  token?: string;
}

export async function createShare(
  db: Database,
  row: SessionRow,
  input: NewShare,
  now: Date,
): Promise<ShareView> {
  const id = uuidv7(now.getTime());
  const token = input.link ? randomToken(32) : undefined;
  const [share] = await db
    .insert(sessionShares)
    .values({
      id,
      sessionId: row.id,
      kind: token ? 'link' : 'user',
      role: input.role,
      subject: token ? null : (input.subject ?? null),
      email: token ? null : (input.email?.toLowerCase() ?? null),
      tokenHash: token ? await sha256Hex(token) : null,
      expiresAt: input.expiresAt,
      createdAt: now,
    })
    .returning();
  await addEvents(db, [
    {
      sessionId: row.id,
      hostId: row.hostId,
      type: 'share_created',
      at: now,
      data: { share_id: id, kind: token ? 'link' : 'user', role: input.role },
    },
  ]);
  return { share: share as ShareRow, ...(token ? { token } : {}) };
}

export function listShares(db: Queryable, sessionId: string): Promise<ShareRow[]> {
  return db
    .select()
    .from(sessionShares)
    .where(eq(sessionShares.sessionId, sessionId))
    .orderBy(asc(sessionShares.id));
}

function shareNotFound(): AppError {
  return new AppError('share_not_found', 'the session has no share with this id');
}

/**
 * Revokes a share: its row goes, the session's grant generation grows (the host refuses tickets
 * minted before and cuts the shared connections admitted under them; people still shared with
 * reconnect with a new ticket), and the people known to have used it are disconnected at once.
 */
export async function revokeShare(
  db: Database,
  row: SessionRow,
  shareId: string,
  now: Date,
): Promise<void> {
  const [share] = await db
    .select()
    .from(sessionShares)
    .where(and(eq(sessionShares.id, shareId), eq(sessionShares.sessionId, row.id)));
  if (!share) throw shareNotFound();
  const users = await db
    .select({ principalId: shareRedemptions.principalId })
    .from(shareRedemptions)
    .where(eq(shareRedemptions.shareId, share.id));
  const principals = new Set(users.map((u) => u.principalId));
  if (share.subject) principals.add(share.subject);
  await db.delete(sessionShares).where(eq(sessionShares.id, share.id));
  const [bumped] = await db
    .update(sessions)
    .set({ grantGeneration: sql`${sessions.grantGeneration} + 1`, updatedAt: now })
    .where(eq(sessions.id, row.id))
    .returning({ generation: sessions.grantGeneration });
  await addEvents(db, [
    {
      sessionId: row.id,
      hostId: row.hostId,
      type: 'grants_revoked',
      at: now,
      data: {
        share_id: share.id,
        principals: [...principals],
        grant_generation: bumped?.generation ?? null,
      },
    },
  ]);
  if (row.hostId === null || !isRunningState(row.state)) return;
  for (const c of await connectionsOf(db, row.id))
    if (principals.has(c.principal) && c.principal !== row.ownerId)
      await queueCommand(db, row, 'disconnect', c.host_connection_id, now);
}

/**
 * A signed-in person redeems a share link: from now on they hold its role on its session (until
 * it expires or is revoked). The session's owner redeeming their own link changes nothing.
 */
export async function redeemShareLink(
  db: Database,
  principal: Principal,
  token: string,
  now: Date,
): Promise<ShareRow> {
  const [share] = await db
    .select()
    .from(sessionShares)
    .where(eq(sessionShares.tokenHash, await sha256Hex(token)));
  if (!share || (share.expiresAt !== null && share.expiresAt.getTime() <= now.getTime()))
    throw new AppError(
      'share_link_invalid',
      'this share link was revoked, has expired or never existed',
    );
  await recordUse(db, share.id, principal, now);
  return share;
}

/** Remembers who used a share, so revoking it disconnects them at once. */
export async function recordUse(
  db: Queryable,
  shareId: string,
  principal: Principal,
  now: Date,
): Promise<void> {
  await db
    .insert(shareRedemptions)
    .values({ shareId, principalId: principal.id, displayName: principal.name, redeemedAt: now })
    .onConflictDoNothing();
}

/** The user shares (not links) through which `principal` reaches the session now. */
export async function sharesUsedBy(
  db: Queryable,
  principal: Principal,
  sessionId: string,
): Promise<string[]> {
  const email = principal.email ?? null;
  const rows = await db
    .select({ id: sessionShares.id })
    .from(sessionShares)
    .where(
      sql`${sessionShares.sessionId} = ${sessionId}::uuid and ${sessionShares.kind} = 'user'
        and (${sessionShares.expiresAt} is null or ${sessionShares.expiresAt} > now())
        and (${sessionShares.subject} = ${principal.id} or (${email}::text is not null and ${sessionShares.email} = ${email}::text))`,
    );
  return rows.map((r) => r.id);
}
