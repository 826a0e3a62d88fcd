/**
 * Portable profiles on the edge side: the per-session key (kept wrapped), the last saved archive,
 * and the transfer targets a host gets (presigned store URLs where the store signs, else the
 * edge's own routes). The host encrypts before anything leaves it; the edge never sees plaintext.
 */
import { PROFILE_ARCHIVE_MAX_BYTES } from '@browserpane/api/contract';
import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { type SessionProfileRow, sessionProfiles } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import type { ArtifactStore } from '../artifacts/store.ts';
import { base64url, uuidv7 } from '../crypto.ts';
import type { KekSettings } from '../keys/kek.ts';
import { newProfileKey, unwrapProfileKey } from './key-wrap.ts';

export { PROFILE_ARCHIVE_MAX_BYTES };

/** How long a presigned link lasts (enough for a large archive on a slow link). */
const PRESIGN_SECONDS = 15 * 60;
/** A revision the host presents must come from the edge recently (UUIDv7 time). */
const REVISION_WINDOW_MS = 6 * 3600_000;

export function profileStorageKey(sessionId: string, revision: string): string {
  return `sessions/${sessionId}/profile/${revision}`;
}

function revisionTime(revision: string): number {
  return Number.parseInt(revision.replace(/-/g, '').slice(0, 12), 16);
}

/** A revision id the edge could have handed out (a UUIDv7 from the last hours). */
export function checkRevision(revision: string, now: Date): void {
  const at = revisionTime(revision);
  if (revision[14] !== '7' || Math.abs(now.getTime() - at) > REVISION_WINDOW_MS)
    throw new AppError('validation_failed', 'revision is not a current profile revision');
}

export function savedProfileResource(row: SessionProfileRow) {
  if (!row.revision || row.savedAt === null || row.size === null || !row.sha256) return null;
  return {
    revision: row.revision,
    size: row.size,
    sha256: row.sha256,
    host_id: row.hostId,
    saved_at: row.savedAt.toISOString(),
  };
}

/** The session's profile row, created (with a fresh wrapped key) on first use. */
export async function profileRow(
  db: Queryable,
  sessionId: string,
  kek: KekSettings,
): Promise<SessionProfileRow> {
  const [existing] = await db
    .select()
    .from(sessionProfiles)
    .where(eq(sessionProfiles.sessionId, sessionId));
  if (existing) return existing;
  const { wrapped } = await newProfileKey(kek, sessionId);
  await db.insert(sessionProfiles).values({ sessionId, wrappedKey: wrapped }).onConflictDoNothing();
  const [row] = await db
    .select()
    .from(sessionProfiles)
    .where(eq(sessionProfiles.sessionId, sessionId));
  if (!row) throw new AppError('internal_error', 'the profile record was not written');
  return row;
}

function transferPath(hostId: string, sessionId: string, revision: string, tail = ''): string {
  return `/api/v1/hosts/${hostId}/sessions/${sessionId}/profile/revisions/${revision}${tail}`;
}

/** What a host needs to restore and save a session's profile. */
export async function profileAccess(
  db: Queryable,
  store: ArtifactStore,
  kek: KekSettings,
  hostId: string,
  sessionId: string,
  now: Date,
) {
  const row = await profileRow(db, sessionId, kek);
  const key = await unwrapProfileKey(kek, sessionId, row.wrappedKey);
  const saved = savedProfileResource(row);
  const expiresAt = new Date(now.getTime() + PRESIGN_SECONDS * 1000).toISOString();
  const revision = uuidv7(now.getTime());
  const target = async (method: 'GET' | 'PUT', rev: string, tail: string) =>
    store.presign
      ? {
          url: await store.presign(method, profileStorageKey(sessionId, rev), {
            expiresSec: PRESIGN_SECONDS,
            ...(method === 'PUT' ? { contentType: 'application/octet-stream' } : {}),
          }),
          presigned: true,
          expires_at: expiresAt,
        }
      : { url: transferPath(hostId, sessionId, rev, tail), presigned: false, expires_at: null };
  return {
    key: base64url(key),
    saved,
    download: saved ? await target('GET', saved.revision, '/content') : null,
    upload: {
      revision,
      max_bytes: PROFILE_ARCHIVE_MAX_BYTES,
      ...(await target('PUT', revision, '')),
    },
  };
}

/**
 * Makes `revision` (already in the store) the session's saved profile, unless a later one is
 * saved already (409 `profile_revision_stale`; its object is removed). The replaced archive is
 * deleted from the store.
 */
export async function commitProfile(
  db: Queryable,
  store: ArtifactStore,
  kek: KekSettings,
  hostId: string,
  sessionId: string,
  revision: string,
  content: { size: number; sha256: string },
  now: Date,
) {
  const before = await profileRow(db, sessionId, kek);
  const key = profileStorageKey(sessionId, revision);
  const [row] = await db
    .update(sessionProfiles)
    .set({
      revision,
      storageKey: key,
      size: content.size,
      sha256: content.sha256,
      hostId,
      savedAt: now,
    })
    .where(
      sql`${sessionProfiles.sessionId} = ${sessionId} and (${sessionProfiles.revision} is null or ${sessionProfiles.revision} < ${revision})`,
    )
    .returning();
  if (!row) {
    if (before.revision !== revision) await store.delete(key).catch(() => undefined);
    throw new AppError(
      'profile_revision_stale',
      'a later profile revision of this session is saved already',
    );
  }
  if (before.storageKey && before.storageKey !== key)
    await store.delete(before.storageKey).catch(() => undefined);
  return savedProfileResource(row);
}

/** The saved archive's store key when `revision` is the saved one (else 404). */
export async function savedArchiveKey(
  db: Queryable,
  sessionId: string,
  revision: string,
): Promise<{ key: string; sha256: string | null }> {
  const [row] = await db
    .select()
    .from(sessionProfiles)
    .where(eq(sessionProfiles.sessionId, sessionId));
  if (!row?.storageKey || row.revision !== revision)
    throw new AppError('not_found', 'no saved profile with this revision');
  return { key: row.storageKey, sha256: row.sha256 };
}
