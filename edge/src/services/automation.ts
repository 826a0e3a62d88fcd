import { eq } from 'drizzle-orm';
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
 * Queues a `disconnect` for every live automation connection of a principal that was entitled
 * before an ownership change and is not after it (clearing or replacing an owner cuts it off; its
 * tickets can no longer be minted either). Returns the connection ids cut.
 */
export async function cutRevokedAutomation(
  db: Database,
  before: SessionRow,
  after: SessionRow,
  now: Date,
): Promise<string[]> {
  const still = automationPrincipals(after);
  const revoked = [...automationPrincipals(before)].filter((id) => !still.has(id));
  if (revoked.length === 0 || after.hostId === null || !isRunningState(after.state)) return [];
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
