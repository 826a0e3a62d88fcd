import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps, tstz } from './columns.ts';
import type { SessionExtensionRef } from './extensions.ts';
import { hosts } from './hosts.ts';

/** Persisted lifecycle states of a session resource. */
export const SESSION_STATES = [
  'queued',
  'starting',
  'ready',
  'active',
  'idle',
  'stopping',
  'stopped',
  'failed',
  'runtime_lost',
  'released',
] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export const CONNECTION_ROLES = ['owner', 'viewer', 'automation', 'recorder'] as const;
export type ConnectionRole = (typeof CONNECTION_ROLES)[number];

export interface Viewport {
  width: number;
  height: number;
}

export const sessions = pgTable(
  'sessions',
  {
    id: uuid().primaryKey(),
    ownerId: text().notNull(),
    ownerName: text().notNull(),
    /** The `iss` of the owner's token. */
    ownerIssuer: text().notNull().default(''),
    state: text().$type<SessionState>().notNull(),
    ownerMode: text().$type<'collaborative' | 'exclusive'>().notNull(),
    /** How moving content is streamed: `roi` regions, `full` screen H.264, or `off` (tiles only). */
    videoMode: text().$type<'roi' | 'full' | 'off'>().notNull().default('roi'),
    viewport: jsonb().$type<Viewport>().notNull(),
    capabilities: jsonb().$type<Record<string, boolean>>().notNull(),
    idleTimeoutSec: integer().notNull(),
    labels: jsonb().$type<Record<string, string>>().notNull(),
    /** What its owner calls it (set at creation or by a rename); null until named. */
    displayName: text(),
    /** The title and host name of the tab the person sees, as its host last reported them. */
    pageTitle: text(),
    pageHost: text(),
    /** Free-form JSON an integration attaches at creation (reference v1 `integration_context`). */
    integrationContext: jsonb().$type<Record<string, unknown>>(),
    regionHint: text(),
    /** Approved extensions the session was created with (their archives' keys and digests). */
    extensions: jsonb().$type<SessionExtensionRef[]>().notNull().default([]),
    /** Where the creating request came from (request.cf), used to place and re-place it. */
    originLatitude: doublePrecision(),
    originLongitude: doublePrecision(),
    hostId: uuid().references(() => hosts.id),
    lastHostId: uuid(),
    /** `stopped` or `killed` while `state = 'stopping'`. */
    stopMode: text().$type<'stopped' | 'killed'>(),
    stopReason: text(),
    admissionReason: text(),
    automationOwnerId: text(),
    automationOwnerName: text(),
    /** The issuer the delegate's tokens come from (the owner's, unless the delegation named one). */
    automationOwnerIssuer: text(),
    mcpOwnerId: text(),
    mcpOwnerName: text(),
    /**
     * Bumped whenever a delegate (automation or MCP owner) loses its grant. Tickets carry the
     * generation they were minted under (`gen`); hosts learn the current one in their desired
     * state, cut automation attachments of an older generation and refuse late ones.
     */
    grantGeneration: integer().notNull().default(0),
    runtimeState: text(),
    runtimeRestarts: integer().notNull().default(0),
    runtimeDisplay: jsonb().$type<Viewport>(),
    runtimeError: text(),
    runtimeReportedAt: tstz(),
    idleSince: tstz(),
    lastActiveAt: tstz(),
    queuedAt: tstz(),
    placedAt: tstz(),
    stoppedAt: tstz(),
    /** When the runtime was last released (`POST …/release`); kept across reconnects. */
    runtimeReleasedAt: tstz(),
    /** Recording policy: `disabled`, `manual` (started through the API) or `always`. */
    recordingMode: text().$type<'disabled' | 'manual' | 'always'>().notNull().default('disabled'),
    /** Seconds a finished recording is kept; null: until deleted. */
    recordingRetentionSec: integer(),
    recordingAudio: boolean().notNull().default(false),
    recordingRrweb: boolean().notNull().default(false),
    /**
     * Whether a recorder should run while the browser does: set by `POST …/recordings` and (policy
     * `always`) whenever the browser starts; cleared by a stop.
     */
    recordingWanted: boolean().notNull().default(false),
    /** After a failed segment, the next one starts no earlier than this. */
    recordingRetryAt: tstz(),
    ...timestamps,
  },
  (t) => [
    index('sessions_owner_idx').on(t.ownerId, t.id),
    index('sessions_host_idx').on(t.hostId),
    index('sessions_automation_owner_idx')
      .on(t.automationOwnerId)
      .where(sql`${t.automationOwnerId} is not null`),
    index('sessions_mcp_owner_idx').on(t.mcpOwnerId).where(sql`${t.mcpOwnerId} is not null`),
    index('sessions_queue_idx')
      .on(t.queuedAt, t.id)
      .where(sql`${t.state} in ('queued', 'runtime_lost')`),
    index('sessions_idle_idx').on(t.idleSince).where(sql`${t.idleSince} is not null`),
    check(
      'sessions_state_check',
      sql`${t.state} in ('queued', 'starting', 'ready', 'active', 'idle', 'stopping', 'stopped', 'failed', 'runtime_lost', 'released')`,
    ),
  ],
);

export type SessionRow = typeof sessions.$inferSelect;

/** The live connections of a session, as its host last reported them (replaced each heartbeat). */
export const sessionConnections = pgTable(
  'session_connections',
  {
    sessionId: uuid()
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    connectionId: text().notNull(),
    /** The API's id of the connection (integer ≥ 1, stable while it lives). */
    seq: bigint({ mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    hostId: uuid()
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    role: text().$type<ConnectionRole>().notNull(),
    principal: text().notNull(),
    displayName: text().notNull(),
    connectedAt: tstz().notNull(),
    client: text(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.connectionId] }),
    index('session_connections_host_idx').on(t.hostId),
  ],
);

/** Runtime and lifecycle events of a session (host-reported and edge-generated). */
export const sessionEvents = pgTable(
  'session_events',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    sessionId: uuid()
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    hostId: uuid(),
    type: text().notNull(),
    at: tstz().notNull(),
    data: jsonb().$type<Record<string, unknown>>(),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [index('session_events_session_idx').on(t.sessionId, t.id)],
);
