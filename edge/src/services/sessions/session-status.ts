/** A session's live status: runtime, presence, connections, host, recent events. */
import { asc, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  hosts,
  type SessionRow,
  sessionConnections,
  sessionEvents,
} from '../../db/schema/index.ts';
import {
  type ConnectionView,
  countConnections,
  idleView,
  presenceState,
  runtimeState,
  stopEligibility,
} from '../session-view.ts';
import { admissionOf, principalRef } from './session-resource.ts';

export async function connectionsOf(db: Queryable, sessionId: string): Promise<ConnectionView[]> {
  const rows = await db
    .select()
    .from(sessionConnections)
    .where(eq(sessionConnections.sessionId, sessionId))
    .orderBy(asc(sessionConnections.connectedAt), asc(sessionConnections.connectionId));
  return rows.map((c) => ({
    connection_id: c.connectionId,
    role: c.role,
    principal: c.principal,
    display_name: c.displayName,
    connected_at: c.connectedAt.toISOString(),
    client: c.client,
  }));
}

const STATUS_EVENTS = 20;

export async function sessionStatus(db: Queryable, row: SessionRow, now: Date) {
  const connections = await connectionsOf(db, row.id);
  const counts = countConnections(connections);
  const [host] = row.hostId ? await db.select().from(hosts).where(eq(hosts.id, row.hostId)) : [];
  const events = await db
    .select()
    .from(sessionEvents)
    .where(eq(sessionEvents.sessionId, row.id))
    .orderBy(desc(sessionEvents.id))
    .limit(STATUS_EVENTS);
  return {
    session_id: row.id,
    state: row.state,
    runtime_state: runtimeState(row),
    presence_state: presenceState(row, counts),
    host: host
      ? {
          host_id: host.id,
          name: host.name,
          region: host.region,
          relay_url: host.relayUrl,
          status: host.status,
        }
      : null,
    runtime:
      row.runtimeReportedAt === null
        ? null
        : {
            reported_state: row.runtimeState,
            restarts: row.runtimeRestarts,
            display: row.runtimeDisplay,
            error: row.runtimeError,
            reported_at: row.runtimeReportedAt.toISOString(),
          },
    connection_counts: counts,
    connections,
    automation_owner: principalRef(row.automationOwnerId, row.automationOwnerName),
    mcp_owner: principalRef(row.mcpOwnerId, row.mcpOwnerName),
    stop_eligibility: stopEligibility(row, counts),
    idle: idleView(row, now),
    admission: await admissionOf(db, row),
    events: events.map((e) => ({
      type: e.type,
      at: e.at.toISOString(),
      host_id: e.hostId,
      data: e.data,
    })),
    updated_at: row.updatedAt.toISOString(),
  };
}
