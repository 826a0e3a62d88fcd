/** A heartbeat's runtime, connection and event reports, applied to the sessions on its host. */
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { type HostRow, hostCommands, sessionConnections, sessions } from '../../db/schema/index.ts';
import { addEvents, type SessionEventInput } from '../scheduler.ts';
import { isRunningState } from '../session-view.ts';
import type { ConnectionReport, HeartbeatInput } from './heartbeat-messages.ts';
import { changed, reconcile } from './reconcile.ts';

/**
 * Connections the edge already told the host to drop (commands not yet acknowledged): a report
 * that still lists them (sent before the host acted) does not bring them back.
 */
async function pendingDrops(tx: Tx, hostId: string): Promise<(c: ConnectionReport) => boolean> {
  const pending = await tx
    .select()
    .from(hostCommands)
    .where(and(eq(hostCommands.hostId, hostId), isNull(hostCommands.ackedAt)));
  if (pending.length === 0) return () => false;
  return (c) =>
    pending.some(
      (cmd) =>
        cmd.sessionId === c.session_id &&
        (cmd.type === 'disconnect'
          ? cmd.connectionId === c.connection_id
          : Date.parse(c.connected_at) <= cmd.createdAt.getTime()),
    );
}

export async function applyReports(
  tx: Tx,
  host: HostRow,
  input: HeartbeatInput,
  now: Date,
): Promise<void> {
  const assigned = await tx.select().from(sessions).where(eq(sessions.hostId, host.id));
  const reports = new Map(input.runtimes.map((r) => [r.session_id, r]));
  const byId = new Map(assigned.map((s) => [s.id, s]));
  const dropped = await pendingDrops(tx, host.id);
  const conns = new Map<string, ConnectionReport[]>();
  for (const c of input.connections) {
    const row = byId.get(c.session_id);
    if (!row || !isRunningState(row.state) || dropped(c)) continue;
    conns.set(c.session_id, [...(conns.get(c.session_id) ?? []), c]);
  }

  // The reported list replaces the host's previous one; a connection that stays keeps its row
  // (and so the integer id clients disconnect it by).
  const live = [...conns.values()].flat();
  const unique = [...new Map(live.map((c) => [`${c.session_id}/${c.connection_id}`, c])).values()];
  await tx.delete(sessionConnections).where(
    unique.length === 0
      ? eq(sessionConnections.hostId, host.id)
      : and(
          eq(sessionConnections.hostId, host.id),
          sql`(${sessionConnections.sessionId}, ${sessionConnections.connectionId}) not in (${sql.join(
            unique.map((c) => sql`(${c.session_id}::uuid, ${c.connection_id})`),
            sql`, `,
          )})`,
        ),
  );
  if (unique.length > 0) {
    await tx
      .insert(sessionConnections)
      .values(
        unique.map((c) => ({
          sessionId: c.session_id,
          connectionId: c.connection_id,
          hostId: host.id,
          role: c.role,
          principal: c.principal,
          displayName: c.display_name,
          connectedAt: new Date(c.connected_at),
          client: c.client ?? null,
        })),
      )
      .onConflictDoUpdate({
        target: [sessionConnections.sessionId, sessionConnections.connectionId],
        set: {
          hostId: sql`excluded.host_id`,
          role: sql`excluded.role`,
          principal: sql`excluded.principal`,
          displayName: sql`excluded.display_name`,
          connectedAt: sql`excluded.connected_at`,
          client: sql`excluded.client`,
        },
      });
  }

  const events: SessionEventInput[] = [];
  for (const row of assigned) {
    const report = reports.get(row.id);
    const { patch: state, events: ev } = reconcile(row, report, conns.get(row.id) ?? [], now);
    const patch = report?.page ? { ...state, ...pageOf(report.page) } : state;
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

/** The tab a person sees, as stored: its title and only the host name of its address. */
function pageOf(page: { title: string; url: string }): { pageTitle: string; pageHost: string } {
  let host = '';
  try {
    const url = new URL(page.url);
    if (url.protocol === 'http:' || url.protocol === 'https:') host = url.host;
  } catch {
    // not an address (the host reports what the browser says): no host name
  }
  return { pageTitle: page.title.slice(0, 300), pageHost: host };
}
