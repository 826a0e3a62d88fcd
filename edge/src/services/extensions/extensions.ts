/**
 * Approved extensions: upload (the archive checked, then stored through the artifact store),
 * list, load, approve, refuse, delete — owner-scoped; another owner's extension is a 404 like one
 * that does not exist.
 */
import type { Extension } from '@browserpane/api/contract';
import {
  inspectExtensionArchive,
  ManifestError,
  ZipError,
} from '@browserpane/api/extension-archive';
import { and, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { type ExtensionRow, extensions } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import type { ArtifactStore } from '../artifacts/index.ts';
import { mapStoreError } from '../artifacts/index.ts';
import { hex, uuidv7 } from '../crypto.ts';
import type { Principal } from '../oidc/principal.ts';

export function extensionNotFound(): AppError {
  return new AppError('extension_not_found', 'no extension with this id exists for the caller');
}

export function extensionStorageKey(id: string): string {
  return `extensions/${id}/archive.zip`;
}

export function extensionResource(row: ExtensionRow): Extension {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: row.state === 'approved',
    latest_version: row.version,
    labels: {},
    state: row.state,
    version: row.version,
    manifest_version: 3,
    size: row.size,
    sha256: row.sha256,
    files: row.files,
    approved_at: row.approvedAt?.toISOString() ?? null,
    refused_at: row.refusedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** Checks the archive (the same rules the host unpacks by), stores it, records it pending. */
export async function uploadExtension(
  db: Queryable,
  store: ArtifactStore,
  principal: Principal,
  bytes: Uint8Array,
  now: Date,
): Promise<ExtensionRow> {
  if (bytes.length === 0)
    throw new AppError('extension_archive_invalid', 'the body is empty: send the ZIP archive');
  let inspected: Awaited<ReturnType<typeof inspectExtensionArchive>>;
  try {
    inspected = await inspectExtensionArchive(bytes);
  } catch (err) {
    if (err instanceof ZipError)
      throw new AppError(
        // over a size cap (the archive, a file, the unpacked whole): 413; anything else malformed
        err.reason === 'too_large' ? 'payload_too_large' : 'extension_archive_invalid',
        err.message,
        { details: { reason: err.reason } },
      );
    if (err instanceof ManifestError) throw new AppError('extension_manifest_invalid', err.message);
    throw err;
  }
  const id = uuidv7(now.getTime());
  const key = extensionStorageKey(id);
  const sha256 = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource)));
  await store
    .put(key, bytes, { contentType: 'application/zip', size: bytes.length, sha256 })
    .catch(mapStoreError);
  const [row] = await db
    .insert(extensions)
    .values({
      id,
      ownerId: principal.id,
      ownerIssuer: principal.issuer,
      name: inspected.manifest.name,
      description: inspected.manifest.description,
      version: inspected.manifest.version,
      state: 'pending_approval',
      storageKey: key,
      size: bytes.length,
      sha256,
      files: inspected.files,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row as ExtensionRow;
}

export async function listExtensions(db: Queryable, principal: Principal): Promise<ExtensionRow[]> {
  return db
    .select()
    .from(extensions)
    .where(eq(extensions.ownerId, principal.id))
    .orderBy(desc(extensions.createdAt), desc(extensions.id));
}

export async function loadExtension(
  db: Queryable,
  id: string,
  ownerId: string,
): Promise<ExtensionRow> {
  const [row] = await db
    .select()
    .from(extensions)
    .where(and(eq(extensions.id, id), eq(extensions.ownerId, ownerId)));
  if (!row) throw extensionNotFound();
  return row;
}

/** `approved` or `refused` from `pending_approval`; the same decision again is a no-op. */
export async function decideExtension(
  db: Queryable,
  id: string,
  principal: Principal,
  decision: 'approved' | 'refused',
  now: Date,
): Promise<ExtensionRow> {
  const row = await loadExtension(db, id, principal.id);
  if (row.state === decision) return row;
  if (row.state !== 'pending_approval')
    throw new AppError(
      'extension_state_conflict',
      `the extension is ${row.state}; only a pending one can be ${decision}`,
    );
  const [updated] = await db
    .update(extensions)
    .set({
      state: decision,
      ...(decision === 'approved' ? { approvedAt: now } : { refusedAt: now }),
      updatedAt: now,
    })
    .where(
      and(
        eq(extensions.id, id),
        eq(extensions.ownerId, principal.id),
        eq(extensions.state, 'pending_approval'),
      ),
    )
    .returning();
  if (!updated)
    throw new AppError('extension_state_conflict', 'the extension was decided meanwhile');
  return updated;
}

export async function deleteExtension(
  db: Queryable,
  store: ArtifactStore | undefined,
  id: string,
  principal: Principal,
): Promise<ExtensionRow> {
  const [row] = await db
    .delete(extensions)
    .where(and(eq(extensions.id, id), eq(extensions.ownerId, principal.id)))
    .returning();
  if (!row) throw extensionNotFound();
  await store?.delete(row.storageKey).catch(() => undefined);
  return row;
}
