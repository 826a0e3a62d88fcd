import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';
import { sessions } from './sessions.ts';

export const RECORDING_STATES = ['starting', 'recording', 'finalizing', 'ready', 'failed'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];
/** States in which a recorder is (or should be) writing. */
export const ACTIVE_RECORDING_STATES: readonly RecordingState[] = ['starting', 'recording'];

export type TerminationReason =
  | 'manual_stop'
  | 'client_disconnect'
  | 'disconnect_all'
  | 'session_stop'
  | 'session_kill'
  | 'runtime_release'
  | 'idle_stop'
  | 'gateway_restart'
  | 'worker_exit';

/**
 * One recording segment of a session: the metadata here, the bytes in the artifact store — the
 * finished WebM under `storage_key`, and while it is written its consecutive `parts`
 * (`recordings/<id>/parts/NNNNNN`), so a recorder that dies loses at most the last seconds. At most
 * one segment per session is `starting` or `recording`.
 */
export const sessionRecordings = pgTable(
  'session_recordings',
  {
    id: uuid().primaryKey(),
    sessionId: uuid()
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    sequence: integer().notNull(),
    previousRecordingId: uuid(),
    state: text().$type<RecordingState>().notNull(),
    trigger: text().$type<'manual' | 'always'>().notNull(),
    includeAudio: boolean().notNull(),
    rrweb: boolean().notNull(),
    /** The host whose recorder runs it (the session's host when it started). */
    hostId: uuid(),
    mimeType: text(),
    bytes: bigint({ mode: 'number' }),
    durationMs: bigint({ mode: 'number' }),
    hasAudio: boolean(),
    error: text(),
    terminationReason: text().$type<TerminationReason>(),
    storageKey: text(),
    /** Parts stored while recording (their sizes sum to `parts_bytes`). */
    parts: integer().notNull().default(0),
    partsBytes: bigint({ mode: 'number' }).notNull().default(0),
    domKey: text(),
    domBytes: bigint({ mode: 'number' }),
    domEvents: integer(),
    bytesWritten: bigint({ mode: 'number' }),
    recordedMs: bigint({ mode: 'number' }),
    progressAt: tstz(),
    retentionSec: integer(),
    startedAt: tstz().notNull(),
    endedAt: tstz(),
    completedAt: tstz(),
    expiresAt: tstz(),
    artifactRemovedAt: tstz(),
    createdAt: tstz().notNull().defaultNow(),
    updatedAt: tstz().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('session_recordings_sequence_idx').on(t.sessionId, t.sequence),
    uniqueIndex('session_recordings_one_active_idx')
      .on(t.sessionId)
      .where(sql`${t.state} in ('starting', 'recording')`),
    index('session_recordings_host_idx')
      .on(t.hostId)
      .where(sql`${t.state} in ('starting', 'recording', 'finalizing')`),
    index('session_recordings_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.expiresAt} is not null and ${t.artifactRemovedAt} is null`),
    check(
      'session_recordings_state_check',
      sql`${t.state} in ('starting', 'recording', 'finalizing', 'ready', 'failed')`,
    ),
  ],
);

export type RecordingRow = typeof sessionRecordings.$inferSelect;

export type ExportFormat = 'webm' | 'mp4';
export type ExportState = 'pending' | 'building' | 'ready' | 'failed';

/**
 * A joined playback export of a session (`webm`: the included segments in one file; `mp4`: the
 * same with H.264 video, Opus audio kept), built by a recording worker on first request. `segments` names the
 * recordings it joins, in order: a different set of included segments is a different export.
 */
export const recordingExports = pgTable(
  'recording_exports',
  {
    sessionId: uuid()
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    id: uuid().notNull(),
    format: text().$type<ExportFormat>().notNull(),
    segments: text().notNull(),
    state: text().$type<ExportState>().notNull(),
    hostId: uuid(),
    claimedAt: tstz(),
    storageKey: text(),
    bytes: bigint({ mode: 'number' }),
    durationMs: bigint({ mode: 'number' }),
    error: text(),
    requestedAt: tstz().notNull(),
    completedAt: tstz(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.id] }),
    uniqueIndex('recording_exports_format_idx').on(t.sessionId, t.format),
    index('recording_exports_pending_idx')
      .on(t.requestedAt)
      .where(sql`${t.state} in ('pending', 'building')`),
  ],
);

export type ExportRow = typeof recordingExports.$inferSelect;
