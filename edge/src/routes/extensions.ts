import { routes } from '@browserpane/api/contract';
import { EXTENSION_LIMITS } from '@browserpane/api/extension-archive';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { readBodyBytes } from '../http/request.ts';
import { implement } from '../http/route.ts';
import { bearerToken } from '../middleware/auth.ts';
import { artifactStore, requireArtifactStore, serveArtifact } from '../services/artifacts/index.ts';
import {
  decideExtension,
  deleteExtension,
  extensionNotFound,
  extensionResource,
  listExtensions,
  loadExtension,
  uploadExtension,
} from '../services/extensions/index.ts';
import { authenticateHost } from '../services/hosts.ts';
import { sessionOfHost } from '../services/session-files.ts';

const ZIP_TYPES = new Set(['application/zip', 'application/x-zip-compressed']);

/** Approved extensions (owner-scoped) and the host's download of one its session loads. */
export function extensionRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.uploadExtension, async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!ZIP_TYPES.has(type))
      throw new AppError('unsupported_media_type', 'send the extension as application/zip');
    const store = requireArtifactStore(c.env);
    const bytes = await readBodyBytes(c, EXTENSION_LIMITS.maxArchiveBytes);
    const row = await uploadExtension(c.var.db(), store, c.var.principal, bytes, new Date());
    return {
      status: 201,
      body: extensionResource(row),
      headers: { location: `/api/v1/extensions/${row.id}` },
    };
  });

  implement(app, routes.listExtensions, async (c) => {
    const rows = await listExtensions(c.var.db(), c.var.principal);
    return { status: 200, body: { extensions: rows.map(extensionResource) } };
  });

  implement(app, routes.getExtension, async (c, { params }) => {
    const row = await loadExtension(c.var.db(), params.extension_id, c.var.principal.id);
    return { status: 200, body: extensionResource(row) };
  });

  implement(app, routes.approveExtension, async (c, { params }) => {
    const row = await decideExtension(
      c.var.db(),
      params.extension_id,
      c.var.principal,
      'approved',
      new Date(),
    );
    return { status: 200, body: extensionResource(row) };
  });

  implement(app, routes.refuseExtension, async (c, { params }) => {
    const row = await decideExtension(
      c.var.db(),
      params.extension_id,
      c.var.principal,
      'refused',
      new Date(),
    );
    return { status: 200, body: extensionResource(row) };
  });

  implement(app, routes.deleteExtension, async (c, { params }) => {
    const row = await deleteExtension(
      c.var.db(),
      artifactStore(c.env) ?? undefined,
      params.extension_id,
      c.var.principal,
    );
    return { status: 200, body: extensionResource(row) };
  });

  const asHost = async (c: Context<AppEnv>, params: { host_id: string }) => {
    const token = bearerToken(c.req.header('authorization'));
    c.set('host', await authenticateHost(c.var.db(), params.host_id, token));
  };

  implement(
    app,
    routes.hostGetSessionExtension,
    async (c, { params }) => {
      const session = await sessionOfHost(c.var.db(), params.session_id, c.var.host.id);
      const ref = session.extensions.find((e) => e.id === params.extension_id);
      if (!ref) throw extensionNotFound();
      const served = await serveArtifact(requireArtifactStore(c.env), c.req.raw, {
        key: ref.storageKey,
        contentType: 'application/zip',
        filename: `${ref.id}.zip`,
        etag: ref.sha256,
        requestId: c.var.requestId,
      });
      if (!served) throw extensionNotFound();
      return served;
    },
    asHost,
  );
}
