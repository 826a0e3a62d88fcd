import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { timestamps, tstz } from './columns.ts';

export type ExtensionState = 'pending_approval' | 'approved' | 'refused';

/**
 * An uploaded Chromium extension, owner-scoped: the manifest facts the edge checked, where its
 * archive is in the artifact store (`storage_key`, with size and digest), and its approval.
 */
export const extensions = pgTable(
  'extensions',
  {
    id: uuid().primaryKey(),
    ownerId: text().notNull(),
    ownerIssuer: text().notNull(),
    name: text().notNull(),
    description: text(),
    version: text().notNull(),
    state: text().$type<ExtensionState>().notNull(),
    storageKey: text().notNull(),
    size: bigint({ mode: 'number' }).notNull(),
    sha256: text().notNull(),
    files: integer().notNull(),
    approvedAt: tstz(),
    refusedAt: tstz(),
    ...timestamps,
  },
  (t) => [
    index('extensions_owner_idx').on(t.ownerId, t.createdAt),
    check('extensions_state_check', sql`${t.state} in ('pending_approval', 'approved', 'refused')`),
  ],
);

export type ExtensionRow = typeof extensions.$inferSelect;

/** An extension as a session keeps it (what it was created with; the host loads these). */
export interface SessionExtensionRef {
  id: string;
  name: string;
  version: string;
  size: number;
  sha256: string;
  storageKey: string;
}
