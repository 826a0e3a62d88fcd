import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { type SessionRow, sessions, type Viewport } from '../db/schema/index.ts';
import { addEvents } from './scheduler.ts';
import { countConnections, isRunningState } from './session-view.ts';
import { connectionsOf, queueCommand } from './sessions.ts';

/**
 * Automation ownership side effects: who loses the right to drive a session has its live CDP
 * attachments cut, and an MCP owner that is first to arrive may size the display.
 */

/** The principals entitled to automation tickets on a session (automation owner, MCP owner). */
export function automationPrincipals(
  row: Pick<SessionRow, 'automationOwnerId' | 'mcpOwnerId'>,
): Set<string> {
  return new Set([row.automationOwnerId, row.mcpOwnerId].filter((id): id is string => id !== null));
}

/**
 * Revokes the grants of every principal that was entitled to automation before an ownership
 * change and is not after it (clearing or replacing an owner): bumps the session's grant
 * generation, so the automation tickets and CDP grants it already holds stop working once the
 * host learns the new generation (next heartbeat: live attachments of an older generation are cut,
 * late ones refused), and queues a `disconnect` for its live automation connections. Its tickets
 * can no longer be minted either. Returns the connection ids cut.
 */
export async function cutRevokedAutomation(
  db: Database,
  before: SessionRow,
  after: SessionRow,
  now: Date,
): Promise<string[]> {
  const still = automationPrincipals(after);
  const revoked = [...automationPrincipals(before)].filter((id) => !still.has(id));
  if (revoked.length === 0) return [];
  const [bumped] = await db
    .update(sessions)
    .set({ grantGeneration: sql`${sessions.grantGeneration} + 1`, updatedAt: now })
    .where(eq(sessions.id, after.id))
    .returning({ generation: sessions.grantGeneration });
  await addEvents(db, [
    {
      sessionId: after.id,
      hostId: after.hostId,
      type: 'grants_revoked',
      at: now,
      data: { principals: revoked, grant_generation: bumped?.generation ?? null },
    },
  ]);
  if (after.hostId === null || !isRunningState(after.state)) return [];
  const live = await connectionsOf(db, after.id);
  const cut = live.filter((c) => c.role === 'automation' && revoked.includes(c.principal));
  for (const c of cut) await queueCommand(db, after, 'disconnect', c.host_connection_id, now);
  return cut.map((c) => c.host_connection_id);
}

/**
 * The display size an MCP owner asked for, taken only while no person (owner or viewer client) is
 * connected: then it becomes the session's viewport, which the host receives as
 * `options.viewport` in its desired state (a session that starts later starts at that size; a
 * running display follows once the host applies desired-viewport changes). Otherwise the people's
 * size stays authoritative. Returns whether it was taken.
 */
export async function applyMcpViewport(
  db: Database,
  row: SessionRow,
  viewport: Viewport,
  now: Date,
): Promise<boolean> {
  const counts = countConnections(await connectionsOf(db, row.id));
  const people = counts.owner + counts.viewer;
  const applied = people === 0;
  if (applied && (row.viewport.width !== viewport.width || row.viewport.height !== viewport.height))
    await db.update(sessions).set({ viewport, updatedAt: now }).where(eq(sessions.id, row.id));
  await addEvents(db, [
    {
      sessionId: row.id,
      hostId: row.hostId,
      type: applied ? 'mcp_viewport_set' : 'mcp_viewport_ignored',
      at: now,
      data: applied ? { viewport } : { viewport, reason: 'people_connected', people },
    },
  ]);
  return applied;
}
