import { sql } from 'drizzle-orm';
import {
  check,
  doublePrecision,
  index,
  integer,
  pgTable,
  real,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps, tstz } from './columns.ts';

export const HOST_STATUSES = ['healthy', 'lost'] as const;
export type HostStatus = (typeof HOST_STATUSES)[number];

/** One row per enrolled host agent. Re-enrolling the same `name` keeps the row (and its sessions). */
export const hosts = pgTable(
  'hosts',
  {
    id: uuid().primaryKey(),
    name: text().notNull().unique(),
    /** SHA-256 (hex) of the host credential; the credential itself is shown once, at enrolment. */
    credentialHash: text().notNull(),
    status: text().$type<HostStatus>().notNull().default('healthy'),
    region: text().notNull(),
    latitude: doublePrecision(),
    longitude: doublePrecision(),
    maxSessions: integer().notNull(),
    freeSessions: integer().notNull(),
    cpuPercent: real(),
    memoryAvailableMb: integer(),
    relayUrl: text().notNull(),
    /** SHA-256 (hex) of the relay certificate clients pin; null = verify it the usual way (CA). */
    certSha256: text(),
    agentVersion: text().notNull(),
    enrolledAt: tstz().notNull(),
    lastHeartbeatAt: tstz().notNull(),
    lostAt: tstz(),
    ...timestamps,
  },
  (t) => [
    index('hosts_status_heartbeat_idx').on(t.status, t.lastHeartbeatAt),
    check('hosts_status_check', sql`${t.status} in ('healthy', 'lost')`),
  ],
);

export type HostRow = typeof hosts.$inferSelect;

/** Commands for a host (disconnect one connection / all); repeated in heartbeats until acked. */
export const hostCommands = pgTable(
  'host_commands',
  {
    id: uuid().primaryKey(),
    hostId: uuid()
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    sessionId: uuid().notNull(),
    type: text().$type<'disconnect' | 'disconnect_all'>().notNull(),
    connectionId: text(),
    createdAt: tstz().notNull().defaultNow(),
    ackedAt: tstz(),
  },
  (t) => [index('host_commands_pending_idx').on(t.hostId, t.ackedAt)],
);
