/**
 * A session as the API shows it (the reference v1 resource plus ours), built for one session or a
 * page of them with a fixed number of queries: live connection counts, the hosts' relays and the
 * admission queue are read for all rows at once.
 */

import type { Session } from '@browserpane/api/contract';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import type { ShareRole } from '../../db/schema/index.ts';
import { hosts, type SessionRow, sessionConnections, sessions } from '../../db/schema/index.ts';
import type { Principal } from '../oidc/principal.ts';
import {
  apiCounts,
  apiState,
  type ConnectionCounts,
  countConnections,
  idleView,
  iso,
  presenceState,
  RUNNING_STATES,
  resumeMode,
  runtimeState,
  stopEligibility,
  WAITING_STATES,
} from '../session-view.ts';
import { connectPoint, relayTransport } from './connect-point.ts';
import {
  effectiveEgress,
  egressDiagnostics,
  networkIdentity,
  ownerScopeAdmission,
  recordingPolicy,
} from './reference-defaults.ts';
import { shareRoles } from './shares.ts';

/** What every view needs besides the rows: the edge's origin (links) and the time. */
export interface ViewContext {
  origin: string;
  now: Date;
  /** Who is looking: `access` says what they may do (absent: the owner). */
  principal?: Principal;
}

export type QueueBlock = NonNullable<Session['queue']>;

export function principalRef(id: string | null, name: string | null) {
  return id === null ? null : { principal_id: id, display_name: name ?? id };
}

/** Reference names and ours of the same seven switches. */
export function apiCapabilities(caps: Record<string, boolean>): Session['capabilities'] {
  const on = (name: string) => caps[name] === true;
  return {
    browser_input: on('input'),
    clipboard: on('clipboard'),
    audio: on('audio'),
    microphone: on('microphone'),
    camera: on('camera'),
    file_transfer: on('files'),
    resize: on('resize'),
    input: on('input'),
    files: on('files'),
  };
}

function queueReason(row: SessionRow): QueueBlock['reason'] {
  if (row.state === 'runtime_lost') return 'runtime_lost';
  const reason = row.admissionReason;
  return reason === 'no_healthy_hosts' || reason === 'pool_full' ? reason : 'pending';
}

/** Queue blocks of the waiting rows: position (1 = placed next), pool counts, why it waits. */
export async function queuesOf(
  db: Queryable,
  rows: readonly SessionRow[],
  now: Date,
): Promise<Map<string, QueueBlock>> {
  const waiting = rows.filter((r) => WAITING_STATES.includes(r.state));
  const out = new Map<string, QueueBlock>();
  if (waiting.length === 0) return out;
  const ids = waiting.map((r) => r.id);
  const ranked = await db.execute<{ id: string; position: number }>(sql`
    select id, position from (
      select ${sessions.id} as id, (row_number() over (order by ${sessions.queuedAt}, ${sessions.id}))::int as position
        from ${sessions} where ${inArray(sessions.state, [...WAITING_STATES])}
    ) q where id in (${sql.join(
      ids.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`);
  const [pool] = await db
    .select({
      active: sql<number>`count(*) filter (where ${inArray(sessions.state, [...RUNNING_STATES])})::int`,
      queued: sql<number>`count(*) filter (where ${inArray(sessions.state, [...WAITING_STATES])})::int`,
    })
    .from(sessions);
  const positions = new Map([...ranked].map((r) => [r.id, Number(r.position)]));
  for (const row of waiting) {
    const queuedAt = row.queuedAt ?? row.updatedAt;
    const position = positions.get(row.id) ?? 1;
    out.set(row.id, {
      queued_at: queuedAt.toISOString(),
      queued_for_ms: Math.max(0, now.getTime() - queuedAt.getTime()),
      position,
      active_sessions: pool?.active ?? 0,
      queued_sessions: pool?.queued ?? 0,
      max_active_sessions: null,
      dispatch_blocker: position > 1 ? 'earlier_queued_session' : 'runtime_capacity',
      cancellable: true,
      reason: queueReason(row),
    });
  }
  return out;
}

/** Live connection counts per session. */
export async function countsOf(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, ConnectionCounts>> {
  const out = new Map<string, ConnectionCounts>(ids.map((id) => [id, countConnections([])]));
  if (ids.length === 0) return out;
  const rows = await db
    .select({
      sessionId: sessionConnections.sessionId,
      role: sessionConnections.role,
      n: sql<number>`count(*)::int`,
    })
    .from(sessionConnections)
    .where(inArray(sessionConnections.sessionId, [...ids]))
    .groupBy(sessionConnections.sessionId, sessionConnections.role);
  for (const r of rows) {
    const counts = out.get(r.sessionId);
    if (!counts) continue;
    counts[r.role] += r.n;
    counts.total += r.n;
  }
  return out;
}

/** Relay URLs of the hosts the rows are placed on. */
export async function relaysOf(
  db: Queryable,
  rows: readonly SessionRow[],
): Promise<Map<string, string>> {
  const hostIds = [...new Set(rows.map((r) => r.hostId).filter((h): h is string => h !== null))];
  if (hostIds.length === 0) return new Map();
  const found = await db
    .select({ id: hosts.id, relayUrl: hosts.relayUrl })
    .from(hosts)
    .where(and(inArray(hosts.id, hostIds), eq(hosts.status, 'healthy')));
  return new Map(found.map((h) => [h.id, h.relayUrl]));
}

export interface Live {
  counts: ConnectionCounts;
  queue: QueueBlock | null;
  relayUrl: string | null;
  /** The viewer's access (see `Session.access`). */
  access?: Session['access'];
}

export function sessionResource(row: SessionRow, live: Live, ctx: ViewContext): Session {
  const counts = live.counts;
  const delegate = row.automationOwnerId;
  const state = runtimeState(row);
  return {
    id: row.id,
    state: apiState(row.state),
    project_id: null,
    project: null,
    admission: ownerScopeAdmission(row.createdAt),
    template_id: null,
    browser_context: { mode: 'fresh', context_id: null },
    network_identity: networkIdentity(),
    effective_egress: effectiveEgress(),
    egress_diagnostics: egressDiagnostics(row, state, ctx.now),
    owner_mode: row.ownerMode === 'exclusive' ? 'exclusive_browser_owner' : 'collaborative',
    viewport: row.viewport,
    capabilities: apiCapabilities(row.capabilities),
    owner: {
      subject: row.ownerId,
      issuer: row.ownerIssuer,
      display_name: row.ownerName,
      principal_id: row.ownerId,
    },
    automation_delegate:
      delegate === null
        ? null
        : {
            client_id: delegate,
            issuer: row.automationOwnerIssuer ?? row.ownerIssuer,
            display_name: row.automationOwnerName,
          },
    idle_timeout_sec: row.idleTimeoutSec,
    labels: row.labels,
    integration_context: row.integrationContext ?? null,
    extensions: row.extensions.map((e) => ({
      extension_id: e.id,
      extension_version_id: e.id,
      name: e.name,
      version: e.version,
    })),
    recording: recordingPolicy(row),
    connect: connectPoint(row.id, live.relayUrl, ctx.origin),
    runtime: {
      binding: 'docker_runtime_pool',
      compatibility_mode: 'session_runtime_pool',
      cdp_endpoint: null,
    },
    status: {
      runtime_state: state,
      runtime_resume_mode: resumeMode(row),
      presence_state: presenceState(row, counts),
      connection_counts: apiCounts(counts, row),
      stop_eligibility: stopEligibility(row, counts),
      idle: idleView(row, ctx.now),
    },
    queue: live.queue,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    queued_at: live.queue ? live.queue.queued_at : null,
    runtime_released_at: iso(row.runtimeReleasedAt),
    stopped_at: iso(row.stoppedAt),
    video_mode: row.videoMode,
    region: row.regionHint,
    host_id: row.hostId,
    automation_owner: principalRef(row.automationOwnerId, row.automationOwnerName),
    mcp_owner: principalRef(row.mcpOwnerId, row.mcpOwnerName),
    stop_reason: row.stopReason,
    display_name: row.displayName,
    page:
      row.pageTitle === null && row.pageHost === null
        ? null
        : { title: row.pageTitle ?? '', host: row.pageHost ?? '' },
    access: live.access ?? 'owner',
  };
}

function accessOf(
  row: SessionRow,
  principal: Principal | undefined,
  shared: Map<string, ShareRole>,
): Session['access'] {
  if (!principal || principal.id === row.ownerId) return 'owner';
  if (principal.id === row.automationOwnerId || principal.id === row.mcpOwnerId) return 'delegate';
  return shared.get(row.id) ?? 'viewer';
}

/** The resources of a page of sessions, in order. */
export async function resourcesOf(
  db: Queryable,
  rows: readonly SessionRow[],
  ctx: ViewContext,
): Promise<Session[]> {
  const principal = ctx.principal;
  const notMine = rows.filter((r) => principal && r.ownerId !== principal.id).map((r) => r.id);
  const [counts, queues, relays, shared] = await Promise.all([
    countsOf(
      db,
      rows.map((r) => r.id),
    ),
    queuesOf(db, rows, ctx.now),
    relaysOf(db, rows),
    principal && notMine.length > 0
      ? shareRoles(db, principal, notMine)
      : Promise.resolve(new Map<string, ShareRole>()),
  ]);
  return rows.map((row) =>
    sessionResource(
      row,
      {
        counts: counts.get(row.id) ?? countConnections([]),
        queue: queues.get(row.id) ?? null,
        relayUrl: row.hostId ? (relays.get(row.hostId) ?? null) : null,
        access: accessOf(row, principal, shared),
      },
      ctx,
    ),
  );
}

export async function resourceOf(
  db: Queryable,
  row: SessionRow,
  ctx: ViewContext,
): Promise<Session> {
  return (await resourcesOf(db, [row], ctx))[0] as Session;
}

export { relayTransport };
