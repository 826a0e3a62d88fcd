/** Extensions a session is created with: each the caller's own and approved. */
import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { extensions, type SessionExtensionRef } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';

/** The approved extensions `ids` names, in that order; unknown, foreign or unapproved ids refused. */
export async function resolveSessionExtensions(
  db: Queryable,
  ownerId: string,
  ids: readonly string[] | undefined,
): Promise<SessionExtensionRef[]> {
  if (!ids || ids.length === 0) return [];
  const rows = await db
    .select()
    .from(extensions)
    .where(and(eq(extensions.ownerId, ownerId), inArray(extensions.id, [...ids])));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const row = byId.get(id);
    if (!row)
      throw new AppError('extension_not_found', `extension ${id} does not exist for the caller`, {
        details: { extension_id: id },
      });
    if (row.state !== 'approved')
      throw new AppError(
        'extension_not_approved',
        `extension ${id} (${row.name}) is ${row.state}; approve it first`,
        { details: { extension_id: id, state: row.state } },
      );
    return {
      id: row.id,
      name: row.name,
      version: row.version,
      size: row.size,
      sha256: row.sha256,
      storageKey: row.storageKey,
    };
  });
}
