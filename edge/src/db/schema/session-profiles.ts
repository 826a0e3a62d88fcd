import { bigint, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';
import { sessions } from './sessions.ts';

/**
 * A session's portable browser profile: its key (AES-256-GCM, 32 random bytes, stored wrapped
 * with the edge's `CREDENTIALS_KEK`) and the last archive a host saved. The archive's bytes live
 * in the artifact store under `storage_key`, encrypted by the host with the key, so the store never
 * sees a cookie. `revision` is a UUIDv7 the edge hands out for each upload: a later revision
 * replaces an earlier one, never the reverse.
 */
export const sessionProfiles = pgTable('session_profiles', {
  sessionId: uuid()
    .primaryKey()
    .references(() => sessions.id, { onDelete: 'cascade' }),
  wrappedKey: text().notNull(),
  revision: uuid(),
  storageKey: text(),
  size: bigint({ mode: 'number' }),
  sha256: text(),
  hostId: uuid(),
  savedAt: tstz(),
  createdAt: tstz().notNull().defaultNow(),
});

export type SessionProfileRow = typeof sessionProfiles.$inferSelect;
