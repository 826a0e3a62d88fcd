import { routes, type Share } from '@browserpane/api/contract';
import { inArray } from 'drizzle-orm';
import type { Context, Hono } from 'hono';
import { config, edgeOrigin } from '../config.ts';
import type { Queryable } from '../db/client.ts';
import { type ShareRow, shareRedemptions } from '../db/schema/index.ts';
import type { AppEnv } from '../env.ts';
import { implement } from '../http/route.ts';
import {
  createShare,
  listShares,
  redeemShareLink,
  revokeShare,
} from '../services/sessions/shares.ts';
import { loadSession } from '../services/sessions.ts';

const NO_STORE = { 'cache-control': 'no-store' };

async function shareViews(db: Queryable, rows: readonly ShareRow[]): Promise<Share[]> {
  const used =
    rows.length === 0
      ? []
      : await db
          .select()
          .from(shareRedemptions)
          .where(
            inArray(
              shareRedemptions.shareId,
              rows.map((r) => r.id),
            ),
          );
  return rows.map((r) => ({
    id: r.id,
    session_id: r.sessionId,
    kind: r.kind,
    role: r.role,
    subject: r.subject,
    email: r.email,
    expires_at: r.expiresAt?.toISOString() ?? null,
    created_at: r.createdAt.toISOString(),
    used_by: used
      .filter((u) => u.shareId === r.id)
      .map((u) => ({ principal_id: u.principalId, display_name: u.displayName })),
  }));
}

/** The console URL that redeems a link: the secret rides in the query, which the console drops. */
function linkUrl(c: Context<AppEnv>, token: string): string {
  return `${edgeOrigin(config(c.env), c.req.url)}/?share=${encodeURIComponent(token)}`;
}

/** Sharing a session with people (owner only), and redeeming a link (anyone signed in). */
export function shareRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.listSessionShares, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'owner');
    return { status: 200, body: { shares: await shareViews(db, await listShares(db, row.id)) } };
  });

  implement(app, routes.createSessionShare, async (c, { params, body }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const now = new Date();
    const made = await createShare(
      db,
      row,
      {
        role: body.role,
        subject: body.subject,
        email: body.email,
        link: body.link,
        expiresAt:
          body.expires_in_sec === undefined
            ? null
            : new Date(now.getTime() + body.expires_in_sec * 1000),
      },
      now,
    );
    const [view] = await shareViews(db, [made.share]);
    return {
      status: 201,
      headers: NO_STORE,
      body: {
        ...(view as Share),
        ...(made.token ? { link_token: made.token, link_url: linkUrl(c, made.token) } : {}),
      },
    };
  });

  implement(app, routes.revokeSessionShare, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'owner');
    await revokeShare(db, row, params.share_id, new Date());
    return { status: 200, body: { shares: await shareViews(db, await listShares(db, row.id)) } };
  });

  implement(app, routes.redeemShareLink, async (c, { body }) => {
    const share = await redeemShareLink(c.var.db(), c.var.principal, body.token, new Date());
    return {
      status: 200,
      headers: NO_STORE,
      body: {
        session_id: share.sessionId,
        role: share.role,
        expires_at: share.expiresAt?.toISOString() ?? null,
      },
    };
  });
}
