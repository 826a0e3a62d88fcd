import { DEFAULT_SESSION_CAPABILITIES } from '@browserpane/protocol';
import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Database, Tx } from '../db/client.ts';
import {
  type ConnectionRole,
  type HostRow,
  hostCommands,
  hosts,
  type SessionRow,
  type SessionState,
  sessionConnections,
  sessions,
  type Viewport,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { randomToken, secretsEqual, sha256Hex, uuidv7 } from './crypto.ts';
import {
  addEvents,
  lockScheduler,
  markLostHosts,
  placePending,
  type SessionEventInput,
} from './scheduler.ts';
import {
  countConnections,
  hasInteractiveUse,
  isRunningState,
  runningState,
} from './session-view.ts';

export interface EnrollInput {
  name: string;
  region: string;
  coordinates?: { lat: number; lon: number };
  capacity: { max_sessions: number };
  relay_url: string;
  cert_sha256: string;
  agent_version: string;
}

export interface RuntimeReport {
  session_id: string;
  state: 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';
  restarts: number;
  display: Viewport;
  error?: string;
}

export interface ConnectionReport {
  connection_id: string;
  session_id: string;
  role: ConnectionRole;
  principal: string;
  display_name: string;
  connected_at: string;
  client?: string;
}

export interface HeartbeatInput {
  capacity: { max_sessions: number; free_sessions: number };
  load: { cpu_percent: number; memory_available_mb: number };
  region: string;
  coordinates?: { lat: number; lon: number };
  relay_url: string;
  cert_sha256: string;
  runtimes: RuntimeReport[];
  connections: ConnectionReport[];
  events: { session_id: string; type: string; at: string; data?: Record<string, unknown> }[];
  acked_commands: string[];
}

export type Desired = 'running' | 'stopped' | 'killed';

export interface DesiredState {
  heartbeat_interval_ms: number;
  sessions: {
    session_id: string;
    desired: Desired;
    options: {
      viewport: Viewport;
      capabilities: Record<string, boolean>;
      owner_mode: 'collaborative' | 'exclusive';
      video_mode: 'roi' | 'full' | 'off';
      idle_timeout_sec: number;
      labels: Record<string, string>;
    };
  }[];
  commands: {
    command_id: string;
    type: 'disconnect' | 'disconnect_all';
    session_id: string;
    connection_id?: string;
  }[];
}

const CREDENTIAL_PREFIX = 'bph_';

export async function enrollHost(db: Database, input: EnrollInput, now: Date, cfg: Config) {
  const credential = `${CREDENTIAL_PREFIX}${randomToken(32)}`;
  const credentialHash = await sha256Hex(credential);
  const fields = {
    credentialHash,
    status: 'healthy' as const,
    region: input.region,
    latitude: input.coordinates?.lat ?? null,
    longitude: input.coordinates?.lon ?? null,
    maxSessions: input.capacity.max_sessions,
    freeSessions: input.capacity.max_sessions,
    relayUrl: input.relay_url,
    certSha256: input.cert_sha256.toLowerCase(),
    agentVersion: input.agent_version,
    lastHeartbeatAt: now,
    lostAt: null,
    updatedAt: now,
  };
  const hostId = await db.transaction(async (tx) => {
    await lockScheduler(tx);
    const [row] = await tx
      .insert(hosts)
      .values({
        id: uuidv7(now.getTime()),
        name: input.name,
        enrolledAt: now,
        createdAt: now,
        ...fields,
      })
      .onConflictDoUpdate({ target: hosts.name, set: fields })
      .returning({ id: hosts.id });
    await placePending(tx, now, cfg);
    return (row as { id: string }).id;
  });
  return { hostId, credential };
}

/** The host behind a heartbeat, or 401 (unknown host and wrong credential look the same). */
export async function authenticateHost(
  db: Database,
  hostId: string,
  credential: string | null,
): Promise<HostRow> {
  const [host] = await db.select().from(hosts).where(eq(hosts.id, hostId));
  const expected = host?.credentialHash ?? '0'.repeat(64);
  const ok = credential !== null && (await secretsEqual(await sha256Hex(credential), expected));
  if (!host || !ok)
    throw new AppError('host_unauthorized', 'unknown host or wrong host credential');
  return host;
}

function options(row: SessionRow): DesiredState['sessions'][number]['options'] {
  return {
    viewport: row.viewport,
    capabilities: row.capabilities,
    owner_mode: row.ownerMode,
    video_mode: row.videoMode,
    idle_timeout_sec: row.idleTimeoutSec,
    labels: row.labels,
  };
}

/** What the edge wants of one placed session, given what its host just reported. */
function reconcile(
  row: SessionRow,
  report: RuntimeReport | undefined,
  conns: ConnectionReport[],
  now: Date,
): { patch: Partial<SessionRow>; events: SessionEventInput[] } {
  const counts = countConnections(conns);
  const patch: Partial<SessionRow> = {};
  const events: SessionEventInput[] = [];
  if (report) {
    patch.runtimeState = report.state;
    patch.runtimeRestarts = report.restarts;
    patch.runtimeDisplay = report.display;
    patch.runtimeError = report.error ?? null;
    patch.runtimeReportedAt = now;
  }
  let next: SessionState = row.state;
  if (row.state === 'stopping') {
    if (!report || report.state === 'stopped' || report.state === 'failed') {
      next = 'stopped';
      Object.assign(patch, {
        hostId: null,
        lastHostId: row.hostId,
        stopMode: null,
        stoppedAt: now,
        idleSince: null,
      });
    }
  } else if (row.state === 'failed') {
    if (!report || report.state === 'stopped')
      Object.assign(patch, { hostId: null, lastHostId: row.hostId });
  } else if (isRunningState(row.state)) {
    if (report?.state === 'running') {
      next = runningState(counts, row.lastActiveAt);
      if (next === 'active') patch.lastActiveAt = now;
    } else if (report?.state === 'failed') {
      next = 'failed';
    } else {
      next = 'starting';
    }
    if (isRunningState(next)) {
      patch.idleSince = hasInteractiveUse(counts, row) ? null : (row.idleSince ?? now);
    } else {
      patch.idleSince = null;
    }
  }
  if (next !== row.state) {
    patch.state = next;
    events.push({
      sessionId: row.id,
      hostId: row.hostId,
      type: 'state_changed',
      at: now,
      data: { from: row.state, to: next, ...(report?.error ? { error: report.error } : {}) },
    });
  }
  return { patch, events };
}

function changed(row: SessionRow, patch: Partial<SessionRow>): boolean {
  for (const [key, value] of Object.entries(patch)) {
    const current = row[key as keyof SessionRow];
    if (value instanceof Date || current instanceof Date) {
      if ((value as Date | null)?.getTime() !== (current as Date | null)?.getTime()) return true;
    } else if (JSON.stringify(value) !== JSON.stringify(current)) {
      return true;
    }
  }
  return false;
}

async function applyReports(
  tx: Tx,
  host: HostRow,
  input: HeartbeatInput,
  now: Date,
): Promise<void> {
  const assigned = await tx.select().from(sessions).where(eq(sessions.hostId, host.id));
  const reports = new Map(input.runtimes.map((r) => [r.session_id, r]));
  const byId = new Map(assigned.map((s) => [s.id, s]));
  const conns = new Map<string, ConnectionReport[]>();
  for (const c of input.connections) {
    const row = byId.get(c.session_id);
    if (!row || !isRunningState(row.state)) continue;
    conns.set(c.session_id, [...(conns.get(c.session_id) ?? []), c]);
  }

  await tx.delete(sessionConnections).where(eq(sessionConnections.hostId, host.id));
  const live = [...conns.values()].flat();
  const unique = new Map(live.map((c) => [`${c.session_id}/${c.connection_id}`, c]));
  if (unique.size > 0) {
    await tx.insert(sessionConnections).values(
      [...unique.values()].map((c) => ({
        sessionId: c.session_id,
        connectionId: c.connection_id,
        hostId: host.id,
        role: c.role,
        principal: c.principal,
        displayName: c.display_name,
        connectedAt: new Date(c.connected_at),
        client: c.client ?? null,
      })),
    );
  }

  const events: SessionEventInput[] = [];
  for (const row of assigned) {
    const { patch, events: ev } = reconcile(row, reports.get(row.id), conns.get(row.id) ?? [], now);
    events.push(...ev);
    if (changed(row, patch)) {
      await tx
        .update(sessions)
        .set({ ...patch, updatedAt: now })
        .where(eq(sessions.id, row.id));
    }
  }

  // Host events: kept for sessions this host runs or ran last.
  const eventIds = [...new Set(input.events.map((e) => e.session_id))];
  if (eventIds.length > 0) {
    const known = await tx
      .select({ id: sessions.id })
      .from(sessions)
      .where(
        and(
          inArray(sessions.id, eventIds),
          or(eq(sessions.hostId, host.id), eq(sessions.lastHostId, host.id)),
        ),
      );
    const ok = new Set(known.map((k) => k.id));
    for (const e of input.events) {
      if (!ok.has(e.session_id)) continue;
      events.push({
        sessionId: e.session_id,
        hostId: host.id,
        type: e.type,
        at: new Date(e.at),
        data: e.data ?? null,
      });
    }
  }
  await addEvents(tx, events);
}

async function desiredState(
  tx: Tx,
  host: HostRow,
  input: HeartbeatInput,
  cfg: Config,
): Promise<DesiredState> {
  const assigned = await tx.select().from(sessions).where(eq(sessions.hostId, host.id));
  const out: DesiredState['sessions'] = [];
  const listed = new Set<string>();
  for (const row of assigned) {
    const desired: Desired = isRunningState(row.state)
      ? 'running'
      : row.state === 'stopping'
        ? (row.stopMode ?? 'stopped')
        : 'stopped';
    out.push({ session_id: row.id, desired, options: options(row) });
    listed.add(row.id);
  }
  // Runtimes the host still has for sessions that are no longer placed on it: stop them.
  const foreign = input.runtimes.filter((r) => !listed.has(r.session_id) && r.state !== 'stopped');
  if (foreign.length > 0) {
    const rows = await tx
      .select()
      .from(sessions)
      .where(
        inArray(
          sessions.id,
          foreign.map((r) => r.session_id),
        ),
      );
    const known = new Map(rows.map((r) => [r.id, r]));
    for (const r of foreign) {
      const row = known.get(r.session_id);
      out.push({
        session_id: r.session_id,
        desired: row ? 'stopped' : 'killed',
        options: row
          ? options(row)
          : {
              viewport: r.display,
              capabilities: { ...DEFAULT_SESSION_CAPABILITIES },
              owner_mode: 'collaborative',
              video_mode: 'roi',
              idle_timeout_sec: cfg.defaultIdleTimeoutSec,
              labels: {},
            },
      });
    }
  }
  const running = assigned.filter((s) => isRunningState(s.state)).map((s) => s.id);
  const pending =
    running.length === 0
      ? []
      : await tx
          .select()
          .from(hostCommands)
          .where(
            and(
              eq(hostCommands.hostId, host.id),
              isNull(hostCommands.ackedAt),
              inArray(hostCommands.sessionId, running),
            ),
          )
          .orderBy(asc(hostCommands.createdAt), asc(hostCommands.id));
  return {
    heartbeat_interval_ms: cfg.heartbeatIntervalMs,
    sessions: out,
    commands: pending.map((c) => ({
      command_id: c.id,
      type: c.type,
      session_id: c.sessionId,
      ...(c.connectionId ? { connection_id: c.connectionId } : {}),
    })),
  };
}

/**
 * One heartbeat: record the host's capacity and load, apply its runtime and connection reports
 * to the sessions placed on it, place waiting sessions if it has room, and answer its desired
 * state. One transaction under the scheduler lock (so two heartbeats never interleave).
 */
export async function heartbeat(
  db: Database,
  host: HostRow,
  input: HeartbeatInput,
  now: Date,
  cfg: Config,
): Promise<DesiredState> {
  await markLostHosts(db, now, cfg);
  return db.transaction(async (tx) => {
    await lockScheduler(tx);
    await tx
      .update(hosts)
      .set({
        status: 'healthy',
        lostAt: null,
        region: input.region,
        latitude: input.coordinates?.lat ?? host.latitude,
        longitude: input.coordinates?.lon ?? host.longitude,
        maxSessions: input.capacity.max_sessions,
        freeSessions: input.capacity.free_sessions,
        cpuPercent: input.load.cpu_percent,
        memoryAvailableMb: input.load.memory_available_mb,
        relayUrl: input.relay_url,
        certSha256: input.cert_sha256.toLowerCase(),
        lastHeartbeatAt: now,
        updatedAt: now,
      })
      .where(eq(hosts.id, host.id));
    if (input.acked_commands.length > 0) {
      await tx
        .update(hostCommands)
        .set({ ackedAt: now })
        .where(
          and(
            eq(hostCommands.hostId, host.id),
            inArray(hostCommands.id, input.acked_commands),
            isNull(hostCommands.ackedAt),
          ),
        );
    }
    await applyReports(tx, host, input, now);
    await placePending(tx, now, cfg);
    return desiredState(tx, host, input, cfg);
  });
}

export function hostResource(host: HostRow, assigned: number, now: Date, cfg: Config) {
  const late = now.getTime() - host.lastHeartbeatAt.getTime() > cfg.hostLostAfterMs;
  return {
    host_id: host.id,
    name: host.name,
    status: host.status === 'healthy' && late ? 'lost' : host.status,
    region: host.region,
    coordinates:
      host.latitude !== null && host.longitude !== null
        ? { lat: host.latitude, lon: host.longitude }
        : null,
    capacity: {
      max_sessions: host.maxSessions,
      free_sessions: host.freeSessions,
      assigned_sessions: assigned,
    },
    load: { cpu_percent: host.cpuPercent, memory_available_mb: host.memoryAvailableMb },
    relay_url: host.relayUrl,
    cert_sha256: host.certSha256,
    agent_version: host.agentVersion,
    enrolled_at: host.enrolledAt.toISOString(),
    last_heartbeat_at: host.lastHeartbeatAt.toISOString(),
    lost_at: host.lostAt ? host.lostAt.toISOString() : null,
  };
}
