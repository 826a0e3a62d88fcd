import { routes } from '@browserpane/api/contract';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { implement } from '../http/route.ts';
import { bearerToken } from '../middleware/auth.ts';
import { mapStoreError, requireArtifactStore, serveArtifact } from '../services/artifacts/index.ts';
import { authenticateHost } from '../services/hosts.ts';
import {
  fileNotFound,
  listSessionFiles,
  loadSessionFile,
  recordSessionFile,
  SESSION_FILE_MAX_BYTES,
  type SessionFileInput,
  sessionFileResource,
  sessionOfHost,
  storageKey,
} from '../services/session-files.ts';
import { loadSession } from '../services/sessions.ts';
import { shownLeaseHash } from '../services/workflows/runs/run-lease.ts';
import { sessionOfLeasedRun } from '../services/workflows/runs/run-session.ts';
import { isWorkflowWorker } from '../services/workflows/worker-principal.ts';

/**
 * The session whose files the caller may read: its owner and automation delegates; a workflow
 * worker only the session of a run it executes now, shown by that attempt's lease (it collects
 * the downloads of the browser it drives).
 */
async function filesSession(c: Context<AppEnv>, sessionId: string) {
  const db = c.var.db();
  return isWorkflowWorker(c)
    ? sessionOfLeasedRun(db, sessionId, await shownLeaseHash(c))
    : loadSession(db, sessionId, c.var.principal, 'delegate');
}

/**
 * Files a session produced (downloads of its browser), for its owner and automation delegates
 * (and the workflow worker driving it for a run): list, metadata, content. Another owner's session answers 404 like a missing one. The host side
 * records them.
 */
export function sessionFileRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.listSessionFiles, async (c, { params, query }) => {
    const db = c.var.db();
    await filesSession(c, params.session_id);
    const page = await listSessionFiles(db, params.session_id, {
      limit: query.limit ?? 100,
      cursor: query.cursor,
    });
    return {
      status: 200,
      body: { files: page.rows.map(sessionFileResource), next_cursor: page.nextCursor },
    };
  });

  implement(app, routes.getSessionFile, async (c, { params }) => {
    const db = c.var.db();
    await filesSession(c, params.session_id);
    const row = await loadSessionFile(db, params.session_id, params.file_id);
    return { status: 200, body: sessionFileResource(row) };
  });

  implement(app, routes.getSessionFileContent, async (c, { params }) => {
    const db = c.var.db();
    await filesSession(c, params.session_id);
    const row = await loadSessionFile(db, params.session_id, params.file_id);
    const served = await serveArtifact(requireArtifactStore(c.env), c.req.raw, {
      key: row.storageKey,
      contentType: row.mimeType,
      filename: row.name,
      etag: row.sha256,
      requestId: c.var.requestId,
    });
    if (!served) throw fileNotFound();
    return served;
  });

  implement(
    app,
    routes.hostRecordSessionFile,
    async (c, { params }) => {
      const db = c.var.db();
      const input = fileInput(c, params.file_id);
      const row = await sessionOfHost(db, params.session_id, c.var.host.id);
      await requireArtifactStore(c.env)
        .put(storageKey(params.session_id, params.file_id), c.req.raw.body ?? '', {
          contentType: input.mimeType,
          size: input.size,
          sha256: input.sha256,
        })
        .catch(mapStoreError);
      const { row: file, created } = await recordSessionFile(db, row, c.var.host.id, input);
      const body = sessionFileResource(file);
      return created ? { status: 201 as const, body } : { status: 200 as const, body };
    },
    async (c, params) => {
      const token = bearerToken(c.req.header('authorization'));
      c.set('host', await authenticateHost(c.var.db(), params.host_id, token));
    },
  );
}

/** A header value decoded from percent-encoded UTF-8 (`x-file-name`). */
function decodedHeader(c: Context<AppEnv>, name: string): string {
  const raw = c.req.header(name);
  if (raw === undefined) throw new AppError('validation_failed', `header ${name} is required`);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('validation_failed', `header ${name} must be percent-encoded UTF-8`);
  }
}

function fileInput(c: Context<AppEnv>, fileId: string): SessionFileInput {
  const length = c.req.header('content-length');
  if (length === undefined || !/^\d{1,12}$/.test(length))
    throw new AppError('validation_failed', 'a content-length header is required');
  const size = Number(length);
  if (size > SESSION_FILE_MAX_BYTES)
    throw new AppError(
      'payload_too_large',
      `a session file must be at most ${SESSION_FILE_MAX_BYTES} bytes`,
    );
  const name = decodedHeader(c, 'x-file-name');
  if (
    !name ||
    new TextEncoder().encode(name).byteLength > 255 ||
    /[/\\\u0000-\u001f\u007f]/.test(name) ||
    /^[.\s]+$/.test(name)
  )
    throw new AppError('validation_failed', 'x-file-name must be a bare file name of 1…255 bytes');
  const sha256 = c.req.header('x-file-sha256') ?? '';
  if (!/^[0-9a-f]{64}$/.test(sha256))
    throw new AppError('validation_failed', 'x-file-sha256 must be 64 lowercase hex digits');
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const mimeType = /^[\w.+-]{1,64}\/[\w.+-]{1,128}$/.test(type) ? type : 'application/octet-stream';
  return { id: fileId, name, mimeType, size, sha256 };
}
