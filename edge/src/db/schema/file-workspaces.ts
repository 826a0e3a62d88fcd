import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamps, tstz } from './columns.ts';
import { sessions } from './sessions.ts';

/**
 * A file workspace: an owner's reusable store of files (run inputs, run outputs, session file
 * bindings). Metadata here; bytes in the artifact store under `file-workspaces/<id>/files/<id>`.
 */
export const fileWorkspaces = pgTable(
  'file_workspaces',
  {
    id: uuid().primaryKey(),
    ownerId: text().notNull(),
    ownerIssuer: text().notNull(),
    name: text().notNull(),
    description: text(),
    labels: jsonb().$type<Record<string, string>>().notNull(),
    ...timestamps,
  },
  (t) => [index('file_workspaces_owner_idx').on(t.ownerId, t.id)],
);

export type FileWorkspaceRow = typeof fileWorkspaces.$inferSelect;

/** A file of a workspace. `run_id` names the run that produced it, if one did. */
export const fileWorkspaceFiles = pgTable(
  'file_workspace_files',
  {
    id: uuid().primaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => fileWorkspaces.id, { onDelete: 'cascade' }),
    ownerId: text().notNull(),
    name: text().notNull(),
    mediaType: text(),
    byteCount: bigint({ mode: 'number' }).notNull(),
    sha256: text().notNull(),
    provenance: jsonb(),
    storageKey: text().notNull(),
    runId: uuid(),
    ...timestamps,
  },
  (t) => [index('file_workspace_files_workspace_idx').on(t.workspaceId, t.id)],
);

export type FileWorkspaceFileRow = typeof fileWorkspaceFiles.$inferSelect;

export const FILE_BINDING_MODES = ['read_only', 'read_write', 'scratch_output'] as const;
export type FileBindingMode = (typeof FILE_BINDING_MODES)[number];
export const FILE_BINDING_STATES = ['pending', 'materialized', 'failed', 'removed'] as const;
export type FileBindingState = (typeof FILE_BINDING_STATES)[number];

/**
 * A workspace file bound to a session at a relative mount path: the file's metadata as it was
 * at bind time; the session's host materializes it into the session's runtime and reports back.
 */
export const sessionFileBindings = pgTable(
  'session_file_bindings',
  {
    id: uuid().primaryKey(),
    sessionId: uuid()
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    ownerId: text().notNull(),
    workspaceId: uuid().notNull(),
    fileId: uuid().notNull(),
    fileName: text().notNull(),
    mediaType: text(),
    byteCount: bigint({ mode: 'number' }).notNull(),
    sha256: text().notNull(),
    provenance: jsonb(),
    mountPath: text().notNull(),
    mode: text().$type<FileBindingMode>().notNull(),
    state: text().$type<FileBindingState>().notNull(),
    error: text(),
    labels: jsonb().$type<Record<string, string>>().notNull(),
    removedAt: tstz(),
    ...timestamps,
  },
  (t) => [
    index('session_file_bindings_session_idx').on(t.sessionId, t.id),
    uniqueIndex('session_file_bindings_mount_idx')
      .on(t.sessionId, t.mountPath)
      .where(sql`${t.state} <> 'removed'`),
    check(
      'session_file_bindings_state_check',
      sql`${t.state} in ('pending', 'materialized', 'failed', 'removed')`,
    ),
    check(
      'session_file_bindings_mode_check',
      sql`${t.mode} in ('read_only', 'read_write', 'scratch_output')`,
    ),
  ],
);

export type SessionFileBindingRow = typeof sessionFileBindings.$inferSelect;
