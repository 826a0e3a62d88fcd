import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Database, Queryable } from '../db/client.ts';
import {
  hosts,
  type SessionState,
  sessionConnections,
  sessionEvents,
  sessions,
} from '../db/schema/index.ts';
import { countPlacements } from './metrics/edge-metrics.ts';
import { type HostCandidate, rankHosts } from './placement.ts';
import { RUNNING_STATES } from './session-view.ts';

/** Serialises placement passes (transaction-scoped advisory lock, safe behind a pooler). */
const SCHEDULER_LOCK = 0x42_50_61_6e;

/**
 * Every transaction that changes placement (heartbeats, creation, restarts, enrolment, lost
 * hosts) takes the scheduler lock first, before any row lock: one lock order, so they cannot
 * deadlock (e.g. a heartbeat holding its host row while a placement waits to reference it).
 * Re-entrant within a transaction.
 */
export async function lockScheduler(tx: Queryable): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${SCHEDULER_LOCK})`);
}

export interface SessionEventInput {
  sessionId: string;
  hostId?: string | null;
  type: string;
  at: Date;
  data?: Record<string, unknown> | null;
}

export async function addEvents(db: Queryable, events: SessionEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await db.insert(sessionEvents).values(
    events.map((e) => ({
      sessionId: e.sessionId,
      hostId: e.hostId ?? null,
      type: e.type,
      at: e.at,
      data: e.data ?? null,
    })),
  );
}

/** Hosts that heartbeat recently enough to take sessions, with how many sessions they hold. */
export async function healthyHosts(
  db: Queryable,
  now: Date,
  cfg: Config,
): Promise<HostCandidate[]> {
  const fresh = new Date(now.getTime() - cfg.hostLostAfterMs);
  return db
    .select({
      id: hosts.id,
      region: hosts.region,
      latitude: hosts.latitude,
      longitude: hosts.longitude,
      maxSessions: hosts.maxSessions,
      cpuPercent: hosts.cpuPercent,
      assigned: sql<number>`(select count(*)::int from "sessions" s where s."host_id" = "hosts"."id")`,
    })
    .from(hosts)
    .where(and(eq(hosts.status, 'healthy'), gte(hosts.lastHeartbeatAt, fresh)));
}

/**
 * Places waiting sessions (`queued`, `runtime_lost`) in FIFO order on the best host with room;
 * those that do not fit keep waiting, with the reason recorded for their `admission` block.
 * Must run inside a transaction.
 */
export async function placePending(tx: Queryable, now: Date, cfg: Config): Promise<string[]> {
  await lockScheduler(tx);
  const waiting = await tx
    .select()
    .from(sessions)
    .where(inArray(sessions.state, ['queued', 'runtime_lost']))
    .orderBy(asc(sessions.queuedAt), asc(sessions.id))
    .limit(200);
  if (waiting.length === 0) return [];
  const pool = await healthyHosts(tx, now, cfg);
  const placed: string[] = [];
  for (const [index, session] of waiting.entries()) {
    const [target] = rankHosts(pool, {
      latitude: session.originLatitude,
      longitude: session.originLongitude,
      regionHint: session.regionHint,
      preferredHostId: session.lastHostId,
    });
    if (!target) {
      const reason = pool.length === 0 ? 'no_healthy_hosts' : 'pool_full';
      const rest = waiting.slice(index).map((s) => s.id);
      await tx
        .update(sessions)
        .set({ admissionReason: reason })
        .where(
          and(
            inArray(sessions.id, rest),
            or(isNull(sessions.admissionReason), sql`${sessions.admissionReason} <> ${reason}`),
          ),
        );
      break;
    }
    target.assigned++;
    await tx
      .update(sessions)
      .set({
        state: 'starting',
        hostId: target.id,
        placedAt: now,
        queuedAt: null,
        admissionReason: null,
        runtimeState: null,
        runtimeError: null,
        idleSince: now,
        lastActiveAt: null,
        updatedAt: now,
      })
      .where(eq(sessions.id, session.id));
    await addEvents(tx, [
      {
        sessionId: session.id,
        hostId: target.id,
        type: 'placed',
        at: now,
        data: { from: session.state, host_id: target.id },
      },
    ]);
    placed.push(session.id);
  }
  countPlacements(placed.length);
  return placed;
}

/**
 * Marks hosts that missed heartbeats for `HOST_LOST_AFTER_MS` as lost; their running sessions
 * become `runtime_lost` (and wait to be re-placed), stops in flight complete. Cheap when nothing
 * is late (one UPDATE that matches no row). Runs in the sweep (cron, `POST …/maintenance/sweep`),
 * on heartbeats and when a ticket is minted for a session on a late host; never on reads.
 */
export async function markLostHosts(db: Database, now: Date, cfg: Config): Promise<string[]> {
  const cutoff = new Date(now.getTime() - cfg.hostLostAfterMs);
  const lost = await db
    .update(hosts)
    .set({ status: 'lost', lostAt: now, updatedAt: now })
    .where(and(eq(hosts.status, 'healthy'), lt(hosts.lastHeartbeatAt, cutoff)))
    .returning({ id: hosts.id });
  if (lost.length === 0) return [];
  const ids = lost.map((h) => h.id);
  await db.transaction(async (tx) => {
    await lockScheduler(tx);
    const affected = await tx
      .select({ id: sessions.id, state: sessions.state, hostId: sessions.hostId })
      .from(sessions)
      .where(inArray(sessions.hostId, ids));
    const running = affected.filter((s) => RUNNING_STATES.includes(s.state));
    const stopping = affected.filter((s) => s.state === 'stopping');
    if (running.length > 0) {
      await tx
        .update(sessions)
        .set({
          state: 'runtime_lost',
          lastHostId: sql`${sessions.hostId}`,
          hostId: null,
          queuedAt: now,
          runtimeState: null,
          idleSince: null,
          admissionReason: null,
          updatedAt: now,
        })
        .where(
          inArray(
            sessions.id,
            running.map((s) => s.id),
          ),
        );
    }
    if (stopping.length > 0) {
      await tx
        .update(sessions)
        .set({
          state: 'stopped',
          lastHostId: sql`${sessions.hostId}`,
          hostId: null,
          stopMode: null,
          stoppedAt: now,
          updatedAt: now,
        })
        .where(
          inArray(
            sessions.id,
            stopping.map((s) => s.id),
          ),
        );
    }
    await tx
      .update(sessions)
      .set({ lastHostId: sql`${sessions.hostId}`, hostId: null, updatedAt: now })
      .where(and(inArray(sessions.hostId, ids), inArray(sessions.state, ['failed', 'released'])));
    await tx.delete(sessionConnections).where(inArray(sessionConnections.hostId, ids));
    await addEvents(tx, [
      ...running.map((s) => ({
        sessionId: s.id,
        hostId: s.hostId,
        type: 'runtime_lost',
        at: now,
        data: { from: s.state },
      })),
      ...stopping.map((s) => ({
        sessionId: s.id,
        hostId: s.hostId,
        type: 'stopped',
        at: now,
        data: { reason: 'host_lost' },
      })),
    ]);
    await placePending(tx, now, cfg);
  });
  return ids;
}

/** Stops sessions nobody used for their idle timeout (no connections, no automation owner). */
export async function stopIdleSessions(db: Queryable, now: Date): Promise<string[]> {
  const stopped = await db
    .update(sessions)
    .set({
      state: sql<SessionState>`case when ${sessions.hostId} is null then 'stopped' else 'stopping' end`,
      stopMode: sql<
        'stopped' | null
      >`case when ${sessions.hostId} is null then null else 'stopped' end`,
      stoppedAt: sql<Date | null>`case when ${sessions.hostId} is null then ${now.toISOString()}::timestamptz else null end`,
      stopReason: 'idle_timeout',
      idleSince: null,
      updatedAt: now,
    })
    .where(
      and(
        isNotNull(sessions.idleSince),
        inArray(sessions.state, [...RUNNING_STATES]),
        isNull(sessions.automationOwnerId),
        isNull(sessions.mcpOwnerId),
        sql`${sessions.idleSince} + make_interval(secs => ${sessions.idleTimeoutSec}) <= ${now.toISOString()}::timestamptz`,
      ),
    )
    .returning({ id: sessions.id, hostId: sessions.hostId });
  await addEvents(
    db,
    stopped.map((s) => ({
      sessionId: s.id,
      hostId: s.hostId,
      type: 'idle_stop',
      at: now,
      data: null,
    })),
  );
  return stopped.map((s) => s.id);
}
