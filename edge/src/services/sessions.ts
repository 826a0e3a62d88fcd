import { DEFAULT_SESSION_CAPABILITIES, type SessionCapabilities } from '@browserpane/protocol';
import { and, asc, desc, eq, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Database, Queryable } from '../db/client.ts';
import {
  hostCommands,
  hosts,
  type SessionRow,
  sessionConnections,
  sessionEvents,
  sessions,
  type Viewport,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { uuidv7 } from './crypto.ts';
import type { Principal } from './oidc/principal.ts';
import { addEvents, lockScheduler, markLostHosts, placePending } from './scheduler.ts';
import {
  type ConnectionView,
  countConnections,
  idleView,
  iso,
  isRunningState,
  presenceState,
  RUNNING_STATES,
  runtimeState,
  stopEligibility,
} from './session-view.ts';

export interface CreateSessionInput {
  viewport?: Viewport;
  idle_timeout_sec?: number;
  capabilities?: Partial<Record<keyof SessionCapabilities, boolean>>;
  owner_mode?: 'collaborative' | 'exclusive';
  video_mode?: 'roi' | 'full' | 'off';
  labels?: Record<string, string>;
  region?: string;
}

export interface RequestOrigin {
  latitude: number | null;
  longitude: number | null;
}

/**
 * Who may see a session. `owner`: only its owner (control routes). `delegate`: its owner and the
 * principals it delegated automation to (reads, status, automation tickets, mcp-owner).
 */
export type Access = 'owner' | 'delegate';

function visibleTo(principal: Principal, access: Access): SQL {
  return access === 'owner'
    ? eq(sessions.ownerId, principal.id)
    : (or(
        eq(sessions.ownerId, principal.id),
        eq(sessions.automationOwnerId, principal.id),
        eq(sessions.mcpOwnerId, principal.id),
      ) as SQL);
}

export function notFound(): AppError {
  return new AppError('session_not_found', 'no session with this id exists for the caller');
}

export async function loadSession(
  db: Queryable,
  id: string,
  principal: Principal,
  access: Access,
): Promise<SessionRow> {
  const [row] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, id), visibleTo(principal, access)));
  if (!row) throw notFound();
  return row;
}

export async function createSession(
  db: Database,
  principal: Principal,
  input: CreateSessionInput,
  origin: RequestOrigin,
  now: Date,
  cfg: Config,
): Promise<SessionRow> {
  const id = uuidv7(now.getTime());
  await markLostHosts(db, now, cfg);
  await db.transaction(async (tx) => {
    await lockScheduler(tx);
    await tx.insert(sessions).values({
      id,
      ownerId: principal.id,
      ownerName: principal.name,
      state: 'queued',
      ownerMode: input.owner_mode ?? 'collaborative',
      videoMode: input.video_mode ?? 'roi',
      viewport: input.viewport ?? { width: 1280, height: 720 },
      capabilities: { ...DEFAULT_SESSION_CAPABILITIES, ...input.capabilities },
      idleTimeoutSec: input.idle_timeout_sec ?? cfg.defaultIdleTimeoutSec,
      labels: input.labels ?? {},
      regionHint: input.region ?? null,
      originLatitude: origin.latitude,
      originLongitude: origin.longitude,
      queuedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await addEvents(tx, [{ sessionId: id, type: 'created', at: now }]);
    await placePending(tx, now, cfg);
  });
  const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
  return row as SessionRow;
}

export async function listSessions(
  db: Queryable,
  principal: Principal,
  options: { limit: number; cursor?: string; state?: SessionRow['state'] },
): Promise<{ rows: SessionRow[]; nextCursor: string | null }> {
  const filters: SQL[] = [visibleTo(principal, 'delegate')];
  if (options.cursor) filters.push(lt(sessions.id, options.cursor));
  if (options.state) filters.push(eq(sessions.state, options.state));
  const rows = await db
    .select()
    .from(sessions)
    .where(and(...filters))
    .orderBy(desc(sessions.id))
    .limit(options.limit + 1);
  const more = rows.length > options.limit;
  const page = more ? rows.slice(0, options.limit) : rows;
  return { rows: page, nextCursor: more ? (page[page.length - 1]?.id ?? null) : null };
}

export interface Admission {
  position: number;
  reason: string;
  queued_at: string | null;
}

/** Queue position (1 = next to be placed) of a waiting session. */
export async function admissionOf(db: Queryable, row: SessionRow): Promise<Admission | null> {
  if (row.state !== 'queued' && row.state !== 'runtime_lost') return null;
  const [ahead] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sessions)
    .where(
      and(
        inArray(sessions.state, ['queued', 'runtime_lost']),
        sql`(${sessions.queuedAt}, ${sessions.id}) < (${row.queuedAt?.toISOString() ?? null}::timestamptz, ${row.id}::uuid)`,
      ),
    );
  return {
    position: (ahead?.n ?? 0) + 1,
    reason: row.admissionReason ?? (row.state === 'runtime_lost' ? 'runtime_lost' : 'pending'),
    queued_at: iso(row.queuedAt),
  };
}

function principalRef(id: string | null, name: string | null) {
  return id === null ? null : { principal_id: id, display_name: name ?? id };
}

export function sessionResource(row: SessionRow, admission: Admission | null) {
  return {
    id: row.id,
    state: row.state,
    owner: { principal_id: row.ownerId, display_name: row.ownerName },
    owner_mode: row.ownerMode,
    video_mode: row.videoMode,
    viewport: row.viewport,
    capabilities: row.capabilities,
    idle_timeout_sec: row.idleTimeoutSec,
    labels: row.labels,
    region: row.regionHint,
    host_id: row.hostId,
    admission,
    automation_owner: principalRef(row.automationOwnerId, row.automationOwnerName),
    mcp_owner: principalRef(row.mcpOwnerId, row.mcpOwnerName),
    stop_reason: row.stopReason,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    stopped_at: iso(row.stoppedAt),
  };
}

export async function resourceOf(db: Queryable, row: SessionRow) {
  return sessionResource(row, await admissionOf(db, row));
}

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

/** Stops (or kills) a session: immediately when nothing runs, else via its host (`stopping`). */
export async function stopSession(
  db: Database,
  row: SessionRow,
  mode: 'stopped' | 'killed',
  reason: string,
  now: Date,
): Promise<SessionRow> {
  if (row.state === 'stopped') return row;
  const placed = row.hostId !== null;
  const [updated] = await db
    .update(sessions)
    .set(
      placed
        ? {
            state: 'stopping',
            stopMode: row.stopMode === 'killed' ? 'killed' : mode,
            stopReason: reason,
            idleSince: null,
            updatedAt: now,
          }
        : {
            state: 'stopped',
            stopMode: null,
            stopReason: reason,
            stoppedAt: now,
            queuedAt: null,
            admissionReason: null,
            idleSince: null,
            updatedAt: now,
          },
    )
    .where(eq(sessions.id, row.id))
    .returning();
  await addEvents(db, [
    {
      sessionId: row.id,
      hostId: row.hostId,
      type: mode === 'killed' ? 'kill_requested' : 'stop_requested',
      at: now,
      data: { reason },
    },
  ]);
  return updated as SessionRow;
}

/** Safe stop: refused (409 with the blockers) while anyone is attached or automation owns it. */
export async function safeStop(db: Database, row: SessionRow, now: Date): Promise<SessionRow> {
  const eligibility = stopEligibility(row, countConnections(await connectionsOf(db, row.id)));
  if (!eligibility.allowed) {
    throw new AppError(
      'session_not_stoppable',
      'the session is in use; disconnect its clients and automation owner first, or kill it',
      {
        details: { stop_eligibility: eligibility },
      },
    );
  }
  return stopSession(db, row, 'stopped', 'requested', now);
}

/**
 * Reconnecting a stopped (or failed) session restarts the same resource: it queues again and is
 * placed, preferably on the host that has its browser profile.
 */
export async function restartSession(
  db: Database,
  row: SessionRow,
  now: Date,
  cfg: Config,
): Promise<void> {
  await db.transaction(async (tx) => {
    await lockScheduler(tx);
    const reset = {
      stopMode: null,
      stopReason: null,
      stoppedAt: null,
      runtimeError: null,
      runtimeState: null,
      updatedAt: now,
    } as const;
    if (row.state === 'failed' && row.hostId !== null) {
      await tx
        .update(sessions)
        .set({ ...reset, state: 'starting', idleSince: now, lastActiveAt: null })
        .where(and(eq(sessions.id, row.id), eq(sessions.state, 'failed')));
    } else {
      await tx
        .update(sessions)
        .set({ ...reset, state: 'queued', queuedAt: now, admissionReason: null })
        .where(and(eq(sessions.id, row.id), inArray(sessions.state, ['stopped', 'failed'])));
    }
    await addEvents(tx, [
      { sessionId: row.id, hostId: row.lastHostId, type: 'restart_requested', at: now },
    ]);
    await placePending(tx, now, cfg);
  });
}

/** Recomputes when the idle timer started: it runs while nobody (person or automation) uses it. */
export async function refreshIdle(
  db: Queryable,
  sessionId: string,
  now: Date,
): Promise<SessionRow> {
  const [row] = await db
    .update(sessions)
    .set({
      idleSince: sql`case when ${sessions.state} in (${sql.join(
        RUNNING_STATES.map((s) => sql`${s}`),
        sql`, `,
      )}) and ${sessions.automationOwnerId} is null and ${sessions.mcpOwnerId} is null and not exists (select 1 from "session_connections" c where c."session_id" = "sessions"."id" and c."role" <> 'recorder') then coalesce(${sessions.idleSince}, ${now.toISOString()}::timestamptz) else null end`,
      updatedAt: now,
    })
    .where(eq(sessions.id, sessionId))
    .returning();
  return row as SessionRow;
}

export async function setOwners(
  db: Database,
  row: SessionRow,
  patch: Partial<
    Pick<SessionRow, 'automationOwnerId' | 'automationOwnerName' | 'mcpOwnerId' | 'mcpOwnerName'>
  >,
  event: string,
  now: Date,
): Promise<SessionRow> {
  await db.update(sessions).set(patch).where(eq(sessions.id, row.id));
  await addEvents(db, [
    { sessionId: row.id, hostId: row.hostId, type: event, at: now, data: patch },
  ]);
  return refreshIdle(db, row.id, now);
}

/** Queues a command for the session's host; it repeats in heartbeats until the host acks it. */
export async function queueCommand(
  db: Database,
  row: SessionRow,
  type: 'disconnect' | 'disconnect_all',
  connectionId: string | null,
  now: Date,
): Promise<string> {
  if (row.hostId === null || !isRunningState(row.state)) {
    throw new AppError(
      'session_not_running',
      `the session is ${row.state}; it has no live connections to drop`,
    );
  }
  const id = uuidv7(now.getTime());
  await db
    .insert(hostCommands)
    .values({ id, hostId: row.hostId, sessionId: row.id, type, connectionId, createdAt: now });
  await addEvents(db, [
    {
      sessionId: row.id,
      hostId: row.hostId,
      type: `${type}_requested`,
      at: now,
      data: connectionId ? { connection_id: connectionId } : null,
    },
  ]);
  return id;
}
