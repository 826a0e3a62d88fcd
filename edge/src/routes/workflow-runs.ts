import { routes } from '@browserpane/api/contract';
import { and, asc, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Context, Hono } from 'hono';
import { config } from '../config.ts';
import type { Database } from '../db/client.ts';
import {
  fileWorkspaces,
  type WorkflowRunRow,
  workflowRunFiles,
  workflowRuns,
  workflowVersions,
} from '../db/schema/index.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { implement } from '../http/route.ts';
import { requireArtifactStore, serveArtifact } from '../services/artifacts/index.ts';
import { uuidv7 } from '../services/crypto.ts';
import {
  recordFile,
  storeUpload,
  uploadHeaders,
  workspaceFileKey,
} from '../services/file-workspaces/index.ts';
import {
  addRunEvents,
  answerRun,
  appendLog,
  cancelRun,
  createRun,
  eventPage,
  isTerminal,
  isWorkflowWorker,
  loadOwnRun,
  loadRun,
  logLine,
  logPage,
  producedFileResource,
  runNotFound,
  runResourceOf,
  runResources,
} from '../services/workflows/index.ts';
import { requestOrigin } from './sessions.ts';

const PRODUCED_FILE_MAX_BYTES = 512 * 1024 * 1024;

/** The run, for its owner or a workflow worker (404 for anyone else). */
export async function readableRun(c: Context<AppEnv>, id: string): Promise<WorkflowRunRow> {
  const db = c.var.db();
  return isWorkflowWorker(c) ? loadRun(db, id) : loadOwnRun(db, id, c.var.principal);
}

async function follow<T>(
  db: Database,
  runId: string,
  waitSec: number,
  read: () => Promise<T[]>,
): Promise<{ items: T[]; state: WorkflowRunRow['state'] }> {
  const until = Date.now() + waitSec * 1000;
  for (;;) {
    const items = await read();
    const run = await loadRun(db, runId);
    if (items.length > 0 || Date.now() >= until || isTerminal(run.state)) {
      // A run that just ended may have written its last lines after the read.
      const last = items.length === 0 && isTerminal(run.state) ? await read() : items;
      return { items: last, state: run.state };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs: start, list, read, cancel, answer, logs, events, produced files, the source snapshot. */
export function workflowRunRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.createWorkflowRun, async (c, { body }) => {
    const db = c.var.db();
    const { row, created } = await createRun(
      db,
      c.var.principal,
      body,
      requestOrigin(c.req.raw),
      config(c.env),
      new Date(),
    );
    const resource = await runResourceOf(db, row);
    return created
      ? {
          status: 201 as const,
          body: resource,
          headers: { location: `/api/v1/workflow-runs/${row.id}` },
        }
      : { status: 200 as const, body: resource };
  });

  implement(app, routes.listWorkflowRuns, async (c, { query }) => {
    const db = c.var.db();
    const limit = query.limit ?? 100;
    const where: SQL[] = [eq(workflowRuns.ownerId, c.var.principal.id)];
    if (query.state) where.push(eq(workflowRuns.state, query.state));
    if (query.workflow_id) where.push(eq(workflowRuns.workflowId, query.workflow_id));
    if (query.cursor) where.push(lt(workflowRuns.id, query.cursor));
    const rows = await db
      .select()
      .from(workflowRuns)
      .where(and(...where))
      .orderBy(desc(workflowRuns.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    return {
      status: 200,
      body: {
        runs: await runResources(db, page),
        next_cursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
      },
    };
  });

  implement(app, routes.getWorkflowRun, async (c, { params }) => {
    const row = await readableRun(c, params.run_id);
    return { status: 200, body: await runResourceOf(c.var.db(), row) };
  });

  implement(app, routes.cancelWorkflowRun, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadOwnRun(db, params.run_id, c.var.principal);
    const after = await cancelRun(db, row, c.var.principal, config(c.env), new Date());
    return { status: 200, body: await runResourceOf(db, after) };
  });

  implement(app, routes.submitWorkflowRunInput, async (c, { params, body }) => {
    const db = c.var.db();
    const row = await loadOwnRun(db, params.run_id, c.var.principal);
    const answer = {
      action: 'submit_input' as const,
      input: body.input,
      comment: body.comment ?? null,
      details: body.details ?? null,
    };
    const after = await answerRun(db, row, c.var.principal, answer, config(c.env), new Date());
    return { status: 200, body: await runResourceOf(db, after) };
  });

  implement(app, routes.resumeWorkflowRun, async (c, { params, body }) => {
    const db = c.var.db();
    const row = await loadOwnRun(db, params.run_id, c.var.principal);
    const answer = {
      action: 'resume' as const,
      comment: body?.comment ?? null,
      details: body?.details ?? null,
    };
    const after = await answerRun(db, row, c.var.principal, answer, config(c.env), new Date());
    return { status: 200, body: await runResourceOf(db, after) };
  });

  implement(app, routes.rejectWorkflowRun, async (c, { params, body }) => {
    const db = c.var.db();
    const row = await loadOwnRun(db, params.run_id, c.var.principal);
    const answer = {
      action: 'reject' as const,
      reason: body.reason,
      details: body.details ?? null,
    };
    const after = await answerRun(db, row, c.var.principal, answer, config(c.env), new Date());
    return { status: 200, body: await runResourceOf(db, after) };
  });

  implement(app, routes.getWorkflowRunLogs, async (c, { params, query }) => {
    const db = c.var.db();
    const row = await readableRun(c, params.run_id);
    const after = query.after ?? 0;
    const { items, state } = await follow(db, row.id, query.wait_sec ?? 0, () =>
      logPage(db, row.id, after, query.limit ?? 1000),
    );
    return {
      status: 200,
      body: { logs: items, next_after: items.at(-1)?.sequence ?? after, run_state: state },
    };
  });

  implement(app, routes.getWorkflowRunEvents, async (c, { params, query }) => {
    const db = c.var.db();
    const row = await readableRun(c, params.run_id);
    const after = query.after ?? 0;
    const { items, state } = await follow(db, row.id, query.wait_sec ?? 0, () =>
      eventPage(db, row.id, after, query.limit ?? 1000),
    );
    return {
      status: 200,
      body: { events: items, next_after: items.at(-1)?.sequence ?? after, run_state: state },
    };
  });

  implement(app, routes.appendWorkflowRunLog, async (c, { params, body }) => {
    const db = c.var.db();
    const row = await readableRun(c, params.run_id);
    if (isTerminal(row.state))
      throw new AppError(
        'run_state_conflict',
        `the run has ended (${row.state}); its log is closed`,
      );
    const stored = await appendLog(db, row.id, 'lines' in body ? body.lines : [body], new Date());
    const line = stored.at(-1);
    if (!line) throw new AppError('internal_error', 'the log line was not written');
    return { status: 200, body: logLine(line) };
  });

  implement(app, routes.listWorkflowRunProducedFiles, async (c, { params }) => {
    const db = c.var.db();
    const row = await readableRun(c, params.run_id);
    const files = await db
      .select()
      .from(workflowRunFiles)
      .where(eq(workflowRunFiles.runId, row.id))
      .orderBy(asc(workflowRunFiles.createdAt), asc(workflowRunFiles.id));
    return { status: 200, body: { files: files.map(producedFileResource) } };
  });

  implement(app, routes.uploadWorkflowRunProducedFile, async (c, { params }) => {
    const db = c.var.db();
    const row = await readableRun(c, params.run_id);
    if (isTerminal(row.state))
      throw new AppError(
        'run_state_conflict',
        `the run has ended (${row.state}); it takes no more files`,
      );
    const upload = uploadHeaders(c.req.raw.headers, PRODUCED_FILE_MAX_BYTES);
    const workspace = c.req.header('x-bpane-workflow-workspace-id');
    if (workspace !== undefined && workspace !== row.outputWorkspaceId)
      throw new AppError(
        'validation_failed',
        "x-bpane-workflow-workspace-id must be the run's output workspace",
      );
    const { name, mediaType, provenance } = upload;
    const id = uuidv7();
    // A workspace the owner named at creation gets the file too (the same bytes, one key).
    const [target] = await db
      .select()
      .from(fileWorkspaces)
      .where(
        and(eq(fileWorkspaces.id, row.outputWorkspaceId), eq(fileWorkspaces.ownerId, row.ownerId)),
      );
    const key = target ? workspaceFileKey(target.id, id) : `workflow-runs/${row.id}/files/${id}`;
    const verdict = await storeUpload(requireArtifactStore(c.env), key, c.req.raw.body, upload);
    const now = new Date();
    const [file] = await db.transaction(async (tx) => {
      const inserted = await tx
        .insert(workflowRunFiles)
        .values({
          id,
          runId: row.id,
          workspaceId: row.outputWorkspaceId,
          fileName: name,
          mediaType,
          byteCount: verdict.size,
          sha256: verdict.sha256,
          provenance,
          storageKey: key,
          createdAt: now,
        })
        .returning();
      if (target)
        await recordFile(
          tx,
          {
            id,
            workspaceId: target.id,
            ownerId: target.ownerId,
            name,
            mediaType,
            byteCount: verdict.size,
            sha256: verdict.sha256,
            provenance,
            runId: row.id,
          },
          now,
        );
      await addRunEvents(
        tx,
        row,
        [
          {
            type: 'produced_file_added',
            message: name,
            data: { file_id: id, byte_count: verdict.size, sha256_hex: verdict.sha256 },
          },
        ],
        now,
      );
      return inserted;
    });
    if (!file) throw new AppError('internal_error', 'the file record was not written');
    return { status: 201, body: producedFileResource(file) };
  });

  implement(app, routes.getWorkflowRunProducedFileContent, async (c, { params }) => {
    const db = c.var.db();
    const row = await readableRun(c, params.run_id);
    const [file] = await db
      .select()
      .from(workflowRunFiles)
      .where(and(eq(workflowRunFiles.runId, row.id), eq(workflowRunFiles.id, params.file_id)));
    const missing = () =>
      new AppError('produced_file_not_found', 'no produced file with this id exists in this run');
    if (!file) throw missing();
    const served = await serveArtifact(requireArtifactStore(c.env), c.req.raw, {
      key: file.storageKey,
      contentType: file.mediaType ?? 'application/octet-stream',
      filename: file.fileName,
      etag: file.sha256,
      requestId: c.var.requestId,
    });
    if (!served) throw missing();
    return served;
  });

  implement(app, routes.getWorkflowRunSourceSnapshotContent, async (c, { params }) => {
    const db = c.var.db();
    const row = await readableRun(c, params.run_id);
    const [version] = await db
      .select()
      .from(workflowVersions)
      .where(eq(workflowVersions.id, row.versionId));
    if (!version?.snapshotKey) throw runNotFound();
    const served = await serveArtifact(requireArtifactStore(c.env), c.req.raw, {
      key: version.snapshotKey,
      contentType: 'application/gzip',
      filename: `${version.version}.tar.gz`,
      ...(version.snapshotSha256 ? { etag: version.snapshotSha256 } : {}),
      requestId: c.var.requestId,
    });
    if (!served)
      throw new AppError(
        'artifact_store_unavailable',
        'the snapshot is missing from the artifact store',
      );
    return served;
  });
}
