import { routes } from '@browserpane/api/contract';
import { and, eq } from 'drizzle-orm';
import type { Context, Hono } from 'hono';
import type { Queryable } from '../db/client.ts';
import { fileWorkspaceFiles, type SessionFileBindingRow, sessions } from '../db/schema/index.ts';
import type { AppEnv } from '../env.ts';
import { implement } from '../http/route.ts';
import { bearerToken } from '../middleware/auth.ts';
import { requireArtifactStore, serveArtifact } from '../services/artifacts/index.ts';
import {
  bindingNotFound,
  bindingResource,
  createBinding,
  fileGone,
  listBindings,
  loadBinding,
  removeBinding,
  reportBinding,
} from '../services/file-workspaces/index.ts';
import { authenticateHost } from '../services/hosts.ts';
import { loadSession, notFound } from '../services/sessions.ts';
import { shownLeaseHash } from '../services/workflows/runs/run-lease.ts';
import { leasedRunOnSession } from '../services/workflows/runs/run-session.ts';
import { isWorkflowWorker } from '../services/workflows/worker-principal.ts';

/** The bound workspace file's bytes (410 once the file or its bytes are gone). */
async function serveBound(c: Context<AppEnv>, db: Queryable, row: SessionFileBindingRow) {
  const [file] = await db
    .select()
    .from(fileWorkspaceFiles)
    .where(
      and(
        eq(fileWorkspaceFiles.workspaceId, row.workspaceId),
        eq(fileWorkspaceFiles.id, row.fileId),
      ),
    );
  if (!file) throw fileGone();
  const served = await serveArtifact(requireArtifactStore(c.env), c.req.raw, {
    key: file.storageKey,
    contentType: file.mediaType ?? 'application/octet-stream',
    filename: file.name,
    etag: file.sha256,
    requestId: c.var.requestId,
  });
  if (!served) throw fileGone();
  return served;
}

/**
 * Session file bindings: created and removed by the session's owner, read by its owner and
 * automation delegates; the session's host fetches the bound bytes and reports the placement.
 */
export function fileBindingRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.createSessionFileBinding, async (c, { params, body }) => {
    const db = c.var.db();
    const session = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const row = await createBinding(db, session, c.var.principal, body, new Date());
    return {
      status: 201,
      body: bindingResource(row),
      headers: { location: `/api/v1/sessions/${session.id}/file-bindings/${row.id}` },
    };
  });

  implement(app, routes.listSessionFileBindings, async (c, { params }) => {
    const db = c.var.db();
    const session = await loadSession(db, params.session_id, c.var.principal, 'delegate');
    return {
      status: 200,
      body: { bindings: (await listBindings(db, session.id)).map(bindingResource) },
    };
  });

  implement(app, routes.getSessionFileBinding, async (c, { params }) => {
    const db = c.var.db();
    const session = await loadSession(db, params.session_id, c.var.principal, 'delegate');
    return {
      status: 200,
      body: bindingResource(await loadBinding(db, session.id, params.binding_id)),
    };
  });

  implement(app, routes.removeSessionFileBinding, async (c, { params }) => {
    const db = c.var.db();
    const session = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const row = await loadBinding(db, session.id, params.binding_id);
    const after = await removeBinding(db, row, new Date());
    return { status: 200, body: bindingResource(after) };
  });

  implement(app, routes.getSessionFileBindingContent, async (c, { params }) => {
    const db = c.var.db();
    let sessionId: string;
    if (isWorkflowWorker(c)) {
      // A workflow worker: only a workspace input of the run whose lease it shows.
      const run = await leasedRunOnSession(db, params.session_id, await shownLeaseHash(c));
      if (!run.workspaceInputs.some((w) => w.binding_id === params.binding_id))
        throw bindingNotFound();
      sessionId = params.session_id;
    } else sessionId = (await loadSession(db, params.session_id, c.var.principal, 'delegate')).id;
    const row = await loadBinding(db, sessionId, params.binding_id);
    if (row.state === 'removed') throw bindingNotFound();
    return serveBound(c, db, row);
  });

  const host = async (c: Context<AppEnv>, params: { host_id: string }) => {
    const token = bearerToken(c.req.header('authorization'));
    c.set('host', await authenticateHost(c.var.db(), params.host_id, token));
  };

  /** The binding of a session placed on the calling host now (404 for any other). */
  const hostBinding = async (c: Context<AppEnv>, sessionId: string, bindingId: string) => {
    const db = c.var.db();
    const [session] = await db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.hostId, c.var.host.id)));
    if (!session) throw notFound();
    return loadBinding(db, session.id, bindingId);
  };

  implement(
    app,
    routes.hostGetFileBindingContent,
    async (c, { params }) => {
      const row = await hostBinding(c, params.session_id, params.binding_id);
      if (row.state === 'removed') throw bindingNotFound();
      return serveBound(c, c.var.db(), row);
    },
    host,
  );

  implement(
    app,
    routes.hostReportFileBinding,
    async (c, { params, body }) => {
      const row = await hostBinding(c, params.session_id, params.binding_id);
      const after = await reportBinding(c.var.db(), row, body, new Date());
      return { status: 200, body: bindingResource(after) };
    },
    host,
  );
}
