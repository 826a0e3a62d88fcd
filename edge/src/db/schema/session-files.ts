import { bigint, index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';
import { sessions } from './sessions.ts';

/** Where a session file came from (downloads now; produced workflow files later). */
export const SESSION_FILE_SOURCES = ['download'] as const;
export type SessionFileSource = (typeof SESSION_FILE_SOURCES)[number];

/**
 * Files a session produced, recorded by its host: the metadata here, the content in the
 * `ARTIFACTS` bucket under `storage_key`. The host chooses `id` (so a retried upload is the same
 * record); it is unique within its session.
 */
export const sessionFiles = pgTable(
  'session_files',
  {
    sessionId: uuid()
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    id: uuid().notNull(),
    hostId: uuid(),
    source: text().$type<SessionFileSource>().notNull(),
    name: text().notNull(),
    mimeType: text().notNull(),
    size: bigint({ mode: 'number' }).notNull(),
    sha256: text().notNull(),
    storageKey: text().notNull(),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.id] }),
    index('session_files_created_idx').on(t.sessionId, t.createdAt, t.id),
  ],
);

export type SessionFileRow = typeof sessionFiles.$inferSelect;
