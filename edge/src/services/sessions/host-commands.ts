import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { hostCommands, type SessionRow, sessionConnections } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { uuidv7 } from '../crypto.ts';
import { addEvents } from '../scheduler.ts';
import { isRunningState } from '../session-view.ts';

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

/**
 * Takes connections out of the session's live list at once (the host drops them on the command
 * and stops reporting them): the status right after a disconnect no longer shows them.
 */
export async function dropConnections(
  db: Database,
  sessionId: string,
  hostConnectionId: string | null,
): Promise<void> {
  await db
    .delete(sessionConnections)
    .where(
      hostConnectionId === null
        ? eq(sessionConnections.sessionId, sessionId)
        : and(
            eq(sessionConnections.sessionId, sessionId),
            eq(sessionConnections.connectionId, hostConnectionId),
          ),
    );
}
