import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';
import { sessions } from './sessions.ts';

/** What a share lets its people do: watch (`viewer`) or also drive (`collaborator`). */
export const SHARE_ROLES = ['viewer', 'collaborator'] as const;
export type ShareRole = (typeof SHARE_ROLES)[number];

/**
 * A session's owner sharing it: with one person (by their token's `sub`, or by the e-mail claim of
 * their token) or as a link (whoever signs in and redeems it). Deleting the row revokes it.
 */
export const sessionShares = pgTable(
  'session_shares',
  {
    id: uuid().primaryKey(),
    sessionId: uuid()
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    kind: text().$type<'user' | 'link'>().notNull(),
    role: text().$type<ShareRole>().notNull(),
    /** `user` shares: the invited principal's `sub` … */
    subject: text(),
    /** … or the e-mail claim (lower-cased) the invited person's token carries. */
    email: text(),
    /** `link` shares: SHA-256 (hex) of the link's secret; the secret itself is never stored. */
    tokenHash: text(),
    expiresAt: tstz(),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [
    index('session_shares_session_idx').on(t.sessionId),
    index('session_shares_subject_idx').on(t.subject).where(sql`${t.subject} is not null`),
    index('session_shares_email_idx').on(t.email).where(sql`${t.email} is not null`),
    uniqueIndex('session_shares_token_idx').on(t.tokenHash).where(sql`${t.tokenHash} is not null`),
    check('session_shares_role_check', sql`${t.role} in ('viewer', 'collaborator')`),
    check(
      'session_shares_kind_check',
      sql`(${t.kind} = 'user' and (${t.subject} is not null or ${t.email} is not null) and ${t.tokenHash} is null) or (${t.kind} = 'link' and ${t.tokenHash} is not null and ${t.subject} is null and ${t.email} is null)`,
    ),
  ],
);

export type ShareRow = typeof sessionShares.$inferSelect;

/** Who redeemed a share link: they keep the link's role until it expires or is revoked. */
export const shareRedemptions = pgTable(
  'share_redemptions',
  {
    shareId: uuid()
      .notNull()
      .references(() => sessionShares.id, { onDelete: 'cascade' }),
    principalId: text().notNull(),
    displayName: text().notNull(),
    redeemedAt: tstz().notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.shareId, t.principalId] }),
    index('share_redemptions_principal_idx').on(t.principalId),
  ],
);
