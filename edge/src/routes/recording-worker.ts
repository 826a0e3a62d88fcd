import { RECORDING_WORKER_HEADER, routes } from '@browserpane/api/contract';
import type { Context, Hono } from 'hono';
import { config, edgeOrigin } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { implement } from '../http/route.ts';
import {
  artifactStore,
  mapStoreError,
  requireArtifactStore,
  serveArtifact,
} from '../services/artifacts/index.ts';
import { keyFor, uploadTarget } from '../services/recordings/artifacts.ts';
import {
  completeExport,
  exportResource,
  exportSources,
  failExport,
  grantedExport,
  sourceKey,
} from '../services/recordings/exports.ts';
import { recordingResource } from '../services/recordings/view.ts';
import {
  completeRecording,
  failByWorker,
  grantedRecording,
  reportProgress,
} from '../services/recordings/worker.ts';
import { verifyWorkerToken } from '../services/recordings/worker-token.ts';
import { mintRecorderTicket } from '../services/tickets.ts';

/** Largest artifact through the edge route. */
const ARTIFACT_MAX_BYTES = 8 * 1024 ** 3;

async function authorizeWorker(c: Context<AppEnv>): Promise<void> {
  const cfg = config(c.env);
  c.set(
    'grant',
    await verifyWorkerToken(c.req.header(RECORDING_WORKER_HEADER), c.env, cfg, c.req.url),
  );
}

/** The session-path worker routes: the token must name this session's recording. */
async function authorizeRecording(
  c: Context<AppEnv>,
  params: { session_id: string; recording_id: string },
): Promise<void> {
  await authorizeWorker(c);
  const grant = c.var.grant;
  if (
    grant.kind !== 'recording' ||
    grant.sessionId !== params.session_id ||
    grant.recordingId !== params.recording_id
  )
    throw new AppError(
      'recording_worker_unauthorized',
      'this worker token was issued for another recording',
    );
}

function origin(c: Context<AppEnv>): string {
  return edgeOrigin(config(c.env), c.req.url);
}

/** `content-length` and `x-content-sha256` of an artifact upload. */
function uploadHeaders(c: Context<AppEnv>): { size: number; sha256: string; contentType: string } {
  const length = c.req.header('content-length');
  if (length === undefined || !/^\d{1,12}$/.test(length))
    throw new AppError('validation_failed', 'a content-length header is required');
  const size = Number(length);
  if (size > ARTIFACT_MAX_BYTES)
    throw new AppError(
      'payload_too_large',
      `an artifact must be at most ${ARTIFACT_MAX_BYTES} bytes`,
    );
  const sha256 = c.req.header('x-content-sha256') ?? '';
  if (!/^[0-9a-f]{64}$/.test(sha256))
    throw new AppError('validation_failed', 'x-content-sha256 must be 64 lowercase hex digits');
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const contentType = /^[\w.+-]{1,64}\/[\w.+-]{1,128}$/.test(type)
    ? type
    : 'application/octet-stream';
  return { size, sha256, contentType };
}

/**
 * The recording worker's routes: the reference's complete and fail, and ours under
 * `/api/v1/recording-worker` (progress, recorder ticket, uploads, export builds). Every one takes
 * only the worker token of one recording or export.
 */
export function recordingWorkerRoutes(app: Hono<AppEnv>): void {
  implement(
    app,
    routes.completeSessionRecording,
    async (c, { body }) => {
      const db = c.var.db();
      const row = await grantedRecording(db, c.var.grant);
      const store = requireArtifactStore(c.env);
      return {
        status: 200,
        body: recordingResource(await completeRecording(db, store, row, body, new Date())),
      };
    },
    authorizeRecording,
  );

  implement(
    app,
    routes.failSessionRecording,
    async (c, { body }) => {
      const db = c.var.db();
      const row = await grantedRecording(db, c.var.grant);
      const failed = await failByWorker(db, artifactStore(c.env), row, body, new Date());
      return { status: 200, body: recordingResource(failed) };
    },
    authorizeRecording,
  );

  implement(
    app,
    routes.reportRecordingProgress,
    async (c, { body }) => {
      const db = c.var.db();
      const row = await grantedRecording(db, c.var.grant);
      return {
        status: 200,
        body: recordingResource(await reportProgress(db, row, body, new Date())),
      };
    },
    authorizeWorker,
  );

  implement(
    app,
    routes.issueRecorderTicket,
    async (c) => {
      const db = c.var.db();
      const row = await grantedRecording(db, c.var.grant);
      if (row.state !== 'starting' && row.state !== 'recording')
        throw new AppError(
          'recording_not_active',
          `the recording is ${row.state}; nothing to record`,
        );
      const cfg = config(c.env);
      const ticket = await mintRecorderTicket(
        c.var,
        c.env,
        cfg,
        edgeOrigin(cfg, c.req.url),
        row.sessionId,
        row.id,
        new Date(),
      );
      return { status: 200, body: ticket, headers: { 'cache-control': 'no-store' } };
    },
    authorizeWorker,
  );

  implement(
    app,
    routes.createRecordingUploadTarget,
    async (c, { body }) => {
      const db = c.var.db();
      const grant = c.var.grant;
      const store = requireArtifactStore(c.env);
      let format: 'webm' | 'mp4' | undefined;
      if (grant.kind === 'recording') {
        const row = await grantedRecording(db, grant);
        if (row.state === 'ready' || row.state === 'failed')
          throw new AppError('recording_not_active', `the recording is already ${row.state}`);
      } else format = (await grantedExport(db, grant)).format;
      const target = await uploadTarget(store, grant, body, origin(c), new Date(), format);
      return { status: 200, body: target, headers: { 'cache-control': 'no-store' } };
    },
    authorizeWorker,
  );

  implement(
    app,
    routes.putRecordingArtifact,
    async (c, { params }) => {
      const db = c.var.db();
      const grant = c.var.grant;
      let format: 'webm' | 'mp4' | undefined;
      if (grant.kind === 'recording') {
        const row = await grantedRecording(db, grant);
        if (row.state === 'ready' || row.state === 'failed')
          throw new AppError('recording_not_active', `the recording is already ${row.state}`);
      } else format = (await grantedExport(db, grant)).format;
      const key = keyFor(grant, params.artifact, format);
      const { size, sha256, contentType } = uploadHeaders(c);
      await requireArtifactStore(c.env)
        .put(key, c.req.raw.body ?? '', { size, sha256, contentType })
        .catch(mapStoreError);
      return { status: 201, body: { artifact: params.artifact, size } };
    },
    authorizeWorker,
  );

  implement(
    app,
    routes.getRecordingExportSources,
    async (c) => {
      const db = c.var.db();
      const row = await grantedExport(db, c.var.grant);
      const sources = await exportSources(db, requireArtifactStore(c.env), row, origin(c));
      return { status: 200, body: sources, headers: { 'cache-control': 'no-store' } };
    },
    authorizeWorker,
  );

  implement(
    app,
    routes.getRecordingExportSource,
    async (c, { params }) => {
      const db = c.var.db();
      const row = await grantedExport(db, c.var.grant);
      const key = sourceKey(row, params.recording_id);
      const served = await serveArtifact(requireArtifactStore(c.env), c.req.raw, {
        key,
        contentType: 'video/webm',
        requestId: c.var.requestId,
      });
      if (!served)
        throw new AppError('recording_not_found', 'this segment has no stored file any more');
      return served;
    },
    authorizeWorker,
  );

  implement(
    app,
    routes.completeRecordingExport,
    async (c, { body }) => {
      const db = c.var.db();
      const row = await grantedExport(db, c.var.grant);
      const done = await completeExport(db, requireArtifactStore(c.env), row, body, new Date());
      return { status: 200, body: exportResource(done) };
    },
    authorizeWorker,
  );

  implement(
    app,
    routes.failRecordingExport,
    async (c, { body }) => {
      const db = c.var.db();
      const row = await grantedExport(db, c.var.grant);
      return {
        status: 200,
        body: exportResource(await failExport(db, row, body.error, new Date())),
      };
    },
    authorizeWorker,
  );
}
