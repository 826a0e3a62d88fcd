/** A session's live status snapshot: runtime, presence, connections, host, recent events. */
import type { SessionStatus } from '@browserpane/api/contract';
import { asc, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  hosts,
  type SessionRow,
  sessionConnections,
  sessionEvents,
} from '../../db/schema/index.ts';
import { exportsOf } from '../recordings/exports.ts';
import { listRecordings } from '../recordings/lifecycle.ts';
import { recordingStatus } from '../recordings/status.ts';
import {
  apiCounts,
  apiState,
  countConnections,
  idleView,
  presenceState,
  resumeMode,
  runtimeState,
  stopEligibility,
} from '../session-view.ts';
import {
  effectiveEgress,
  egressDiagnostics,
  networkIdentity,
  ownerScopeAdmission,
} from './reference-defaults.ts';
import { principalRef, queuesOf, type ViewContext } from './session-resource.ts';

export type ConnectionView =
  | SessionStatus['connections'][number]
  | SessionStatus['automation_connections'][number];

/** The live connections of a session, oldest first. */
export async function connectionsOf(db: Queryable, sessionId: string): Promise<ConnectionView[]> {
  const rows = await db
    .select()
    .from(sessionConnections)
    .where(eq(sessionConnections.sessionId, sessionId))
    .orderBy(asc(sessionConnections.connectedAt), asc(sessionConnections.seq));
  return rows.map((c) => ({
    connection_id: c.seq,
    host_connection_id: c.connectionId,
    role: c.role,
    principal: c.principal,
    display_name: c.displayName,
    connected_at: c.connectedAt.toISOString(),
    client: c.client,
  })) as ConnectionView[];
}

const STATUS_EVENTS = 20;

const ZERO_TELEMETRY: SessionStatus['telemetry'] = {
  joins_accepted: 0,
  joins_rejected_viewer_cap: 0,
  last_join_latency_ms: 0,
  average_join_latency_ms: 0,
  max_join_latency_ms: 0,
  full_refresh_requests: 0,
  full_refresh_tiles_requested: 0,
  last_full_refresh_tiles: 0,
  max_full_refresh_tiles: 0,
  egress_send_stream_lock_acquires_total: 0,
  egress_send_stream_lock_wait_us_total: 0,
  egress_send_stream_lock_wait_us_average: 0,
  egress_send_stream_lock_wait_us_max: 0,
  egress_lagged_receives_total: 0,
  egress_lagged_frames_total: 0,
};

export async function sessionStatus(
  db: Queryable,
  row: SessionRow,
  ctx: ViewContext,
): Promise<SessionStatus> {
  const connections = await connectionsOf(db, row.id);
  const counts = countConnections(connections);
  const [host] = row.hostId ? await db.select().from(hosts).where(eq(hosts.id, row.hostId)) : [];
  const events = await db
    .select()
    .from(sessionEvents)
    .where(eq(sessionEvents.sessionId, row.id))
    .orderBy(desc(sessionEvents.id))
    .limit(STATUS_EVENTS);
  const queue = (await queuesOf(db, [row], ctx.now)).get(row.id) ?? null;
  const recordings = await listRecordings(db, row.id);
  const exports = await exportsOf(db, [row.id]);
  const runtime = runtimeState(row);
  const display = row.runtimeDisplay ?? row.viewport;
  const browser = connections.filter((c) => c.role !== 'automation');
  return {
    state: apiState(row.state),
    project_id: null,
    project: null,
    admission: ownerScopeAdmission(row.createdAt),
    runtime_state: runtime,
    runtime_resume_mode: resumeMode(row),
    presence_state: presenceState(row, counts),
    connection_counts: apiCounts(counts, row),
    stop_eligibility: stopEligibility(row, counts),
    idle: idleView(row, ctx.now),
    connections: browser as SessionStatus['connections'],
    browser_clients: counts.owner + counts.viewer + counts.recorder,
    viewer_clients: counts.viewer,
    recorder_clients: counts.recorder,
    max_viewers: counts.viewer,
    viewer_slots_remaining: 0,
    exclusive_browser_owner: row.ownerMode === 'exclusive',
    mcp_owner: row.mcpOwnerId !== null,
    resolution: [display.width, display.height],
    network_identity: networkIdentity(),
    effective_egress: effectiveEgress(),
    egress_diagnostics: egressDiagnostics(row, runtime, ctx.now),
    ...recordingStatus(row, recordings, exports, counts.recorder, ctx.now),
    telemetry: ZERO_TELEMETRY,
    session_id: row.id,
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
    automation_connections: connections.filter(
      (c) => c.role === 'automation',
    ) as SessionStatus['automation_connections'],
    automation_owner: principalRef(row.automationOwnerId, row.automationOwnerName),
    mcp_owner_principal: principalRef(row.mcpOwnerId, row.mcpOwnerName),
    queue,
    events: events.map((e) => ({
      type: e.type,
      at: e.at.toISOString(),
      host_id: e.hostId,
      data: e.data,
    })),
    updated_at: row.updatedAt.toISOString(),
  };
}
