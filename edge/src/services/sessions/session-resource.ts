/** A session as the API shows it, with its place in the admission queue while it waits. */
import { and, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { type SessionRow, sessions } from '../../db/schema/index.ts';
import { iso } from '../session-view.ts';

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

export function principalRef(id: string | null, name: string | null) {
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
