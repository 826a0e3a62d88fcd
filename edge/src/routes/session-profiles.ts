import { routes } from '@browserpane/api/contract';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { implement } from '../http/route.ts';
import { bearerToken } from '../middleware/auth.ts';
import { mapStoreError, requireArtifactStore, serveArtifact } from '../services/artifacts/index.ts';
import { authenticateHost } from '../services/hosts.ts';
import {
  checkRevision,
  commitProfile,
  PROFILE_ARCHIVE_MAX_BYTES,
  profileAccess,
  profileStorageKey,
  savedArchiveKey,
} from '../services/profiles/session-profiles.ts';
import { sessionOfHost } from '../services/session-files.ts';

/**
 * Portable profiles, for the host a session is placed on now or was last: its key and saved
 * archive (restore), and where the next archive goes (save). Any other host (or none) gets the
 * session's 404.
 */
export function sessionProfileRoutes(app: Hono<AppEnv>): void {
  const asHost = async (c: Context<AppEnv>, params: { host_id: string }) => {
    const token = bearerToken(c.req.header('authorization'));
    c.set('host', await authenticateHost(c.var.db(), params.host_id, token));
  };

  implement(
    app,
    routes.hostGetSessionProfile,
    async (c, { params }) => {
      const db = c.var.db();
      await sessionOfHost(db, params.session_id, c.var.host.id);
      const store = requireArtifactStore(c.env);
      const body = await profileAccess(
        db,
        store,
        c.env,
        c.var.host.id,
        params.session_id,
        new Date(),
      ).catch(mapStoreError);
      return { status: 200, body };
    },
    asHost,
  );

  implement(
    app,
    routes.hostPutSessionProfile,
    async (c, { params }) => {
      const db = c.var.db();
      const now = new Date();
      checkRevision(params.revision, now);
      const content = archiveInput(c);
      await sessionOfHost(db, params.session_id, c.var.host.id);
      const store = requireArtifactStore(c.env);
      await store
        .put(profileStorageKey(params.session_id, params.revision), c.req.raw.body ?? '', {
          contentType: 'application/octet-stream',
          size: content.size,
          sha256: content.sha256,
        })
        .catch(mapStoreError);
      const saved = await commitProfile(
        db,
        store,
        c.env,
        c.var.host.id,
        params.session_id,
        params.revision,
        content,
        now,
      );
      if (!saved) throw new AppError('internal_error', 'the saved profile was not recorded');
      return { status: 201, body: saved };
    },
    asHost,
  );

  implement(
    app,
    routes.hostCommitSessionProfile,
    async (c, { params, body }) => {
      const db = c.var.db();
      const now = new Date();
      checkRevision(params.revision, now);
      await sessionOfHost(db, params.session_id, c.var.host.id);
      const store = requireArtifactStore(c.env);
      const key = profileStorageKey(params.session_id, params.revision);
      const head = await store.head(key).catch(mapStoreError);
      if (!head) throw new AppError('not_found', 'nothing was uploaded for this revision');
      if (head.size !== body.size) {
        await store.delete(key).catch(() => undefined);
        throw new AppError(
          'validation_failed',
          `the stored archive has ${head.size} bytes, not the ${body.size} committed`,
        );
      }
      const saved = await commitProfile(
        db,
        store,
        c.env,
        c.var.host.id,
        params.session_id,
        params.revision,
        body,
        now,
      );
      if (!saved) throw new AppError('internal_error', 'the saved profile was not recorded');
      return { status: 200, body: saved };
    },
    asHost,
  );

  implement(
    app,
    routes.hostGetSessionProfileContent,
    async (c, { params }) => {
      const db = c.var.db();
      await sessionOfHost(db, params.session_id, c.var.host.id);
      const saved = await savedArchiveKey(db, params.session_id, params.revision);
      const served = await serveArtifact(requireArtifactStore(c.env), c.req.raw, {
        key: saved.key,
        contentType: 'application/octet-stream',
        filename: `profile-${params.revision}.bpprofile`,
        ...(saved.sha256 ? { etag: saved.sha256 } : {}),
        requestId: c.var.requestId,
      });
      if (!served) throw new AppError('not_found', 'the saved profile archive is missing');
      return served;
    },
    asHost,
  );
}

function archiveInput(c: Context<AppEnv>): { size: number; sha256: string } {
  const length = c.req.header('content-length');
  if (length === undefined || !/^\d{1,12}$/.test(length))
    throw new AppError('validation_failed', 'a content-length header is required');
  const size = Number(length);
  if (size > PROFILE_ARCHIVE_MAX_BYTES)
    throw new AppError(
      'payload_too_large',
      `a profile archive must be at most ${PROFILE_ARCHIVE_MAX_BYTES} bytes`,
    );
  const sha256 = c.req.header('x-content-sha256') ?? '';
  if (!/^[0-9a-f]{64}$/.test(sha256))
    throw new AppError('validation_failed', 'x-content-sha256 must be 64 lowercase hex digits');
  return { size, sha256 };
}
