import { routes, WORKSPACE_FILE_MAX_BYTES } from '@browserpane/api/contract';
import { eq } from 'drizzle-orm';
import type { Hono } from 'hono';
import { fileWorkspaceFiles, fileWorkspaces } from '../db/schema/index.ts';
import type { AppEnv } from '../env.ts';
import { implement } from '../http/route.ts';
import { mapStoreError, requireArtifactStore, serveArtifact } from '../services/artifacts/index.ts';
import { uuidv7 } from '../services/crypto.ts';
import {
  createWorkspace,
  fileGone,
  listFiles,
  listWorkspaces,
  loadFile,
  loadWorkspace,
  recordFile,
  storeUpload,
  unsharedKeys,
  uploadHeaders,
  workspaceFileKey,
  workspaceFileResource,
  workspaceResource,
} from '../services/file-workspaces/index.ts';

/** File workspaces and their files, for their owner (another owner's answer 404). */
export function fileWorkspaceRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.createFileWorkspace, async (c, { body }) => {
    const row = await createWorkspace(c.var.db(), c.var.principal, body, new Date());
    return {
      status: 201,
      body: workspaceResource(row),
      headers: { location: `/api/v1/file-workspaces/${row.id}` },
    };
  });

  implement(app, routes.listFileWorkspaces, async (c) => {
    const rows = await listWorkspaces(c.var.db(), c.var.principal.id);
    return { status: 200, body: { workspaces: rows.map(workspaceResource) } };
  });

  implement(app, routes.getFileWorkspace, async (c, { params }) => {
    const row = await loadWorkspace(c.var.db(), params.workspace_id, c.var.principal.id);
    return { status: 200, body: workspaceResource(row) };
  });

  implement(app, routes.deleteFileWorkspace, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadWorkspace(db, params.workspace_id, c.var.principal.id);
    const files = await listFiles(db, row.id);
    const keys = await unsharedKeys(
      db,
      files.map((f) => f.storageKey),
    );
    if (keys.length > 0) await requireArtifactStore(c.env).delete(keys).catch(mapStoreError);
    await db.delete(fileWorkspaces).where(eq(fileWorkspaces.id, row.id));
    return { status: 200, body: workspaceResource(row) };
  });

  implement(app, routes.listFileWorkspaceFiles, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadWorkspace(db, params.workspace_id, c.var.principal.id);
    return {
      status: 200,
      body: { files: (await listFiles(db, row.id)).map(workspaceFileResource) },
    };
  });

  implement(app, routes.uploadFileWorkspaceFile, async (c, { params }) => {
    const db = c.var.db();
    const workspace = await loadWorkspace(db, params.workspace_id, c.var.principal.id);
    const meta = uploadHeaders(c.req.raw.headers, WORKSPACE_FILE_MAX_BYTES);
    const id = uuidv7();
    const key = workspaceFileKey(workspace.id, id);
    const stored = await storeUpload(requireArtifactStore(c.env), key, c.req.raw.body, meta);
    const row = await recordFile(
      db,
      {
        id,
        workspaceId: workspace.id,
        ownerId: workspace.ownerId,
        name: meta.name,
        mediaType: meta.mediaType,
        byteCount: stored.size,
        sha256: stored.sha256,
        provenance: meta.provenance,
      },
      new Date(),
    );
    return {
      status: 201,
      body: workspaceFileResource(row),
      headers: { location: `/api/v1/file-workspaces/${workspace.id}/files/${row.id}` },
    };
  });

  implement(app, routes.getFileWorkspaceFile, async (c, { params }) => {
    const row = await loadFile(c.var.db(), params.workspace_id, params.file_id, c.var.principal.id);
    return { status: 200, body: workspaceFileResource(row) };
  });

  implement(app, routes.deleteFileWorkspaceFile, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadFile(db, params.workspace_id, params.file_id, c.var.principal.id);
    const keys = await unsharedKeys(db, [row.storageKey]);
    if (keys.length > 0) await requireArtifactStore(c.env).delete(keys).catch(mapStoreError);
    await db.delete(fileWorkspaceFiles).where(eq(fileWorkspaceFiles.id, row.id));
    return { status: 200, body: workspaceFileResource(row) };
  });

  implement(app, routes.getFileWorkspaceFileContent, async (c, { params }) => {
    const row = await loadFile(c.var.db(), params.workspace_id, params.file_id, c.var.principal.id);
    const served = await serveArtifact(requireArtifactStore(c.env), c.req.raw, {
      key: row.storageKey,
      contentType: row.mediaType ?? 'application/octet-stream',
      filename: row.name,
      etag: row.sha256,
      requestId: c.var.requestId,
    });
    if (!served) throw fileGone();
    return served;
  });
}
