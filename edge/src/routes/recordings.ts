import { routes } from '@browserpane/api/contract';
import type { Context, Hono } from 'hono';
import type { RecordingRow } from '../db/schema/index.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { implement } from '../http/route.ts';
import { artifactStore, requireArtifactStore, serveArtifact } from '../services/artifacts/index.ts';
import { domKey } from '../services/recordings/artifacts.ts';
import { bundleResponse } from '../services/recordings/bundle.ts';
import { exportsOf, requestExport } from '../services/recordings/exports.ts';
import {
  listRecordings,
  loadRecording,
  startByOwner,
  stopByOwner,
} from '../services/recordings/lifecycle.ts';
import {
  artifactAvailable,
  playbackManifest,
  playbackSummary,
  recordingResource,
} from '../services/recordings/view.ts';
import { deleteRecording } from '../services/recordings/worker.ts';
import { loadSession } from '../services/sessions.ts';

/** A finished recording's file, or why there is none (409 while it is being made, 410 once removed). */
function requireFile(row: RecordingRow, what: 'video' | 'dom'): string {
  if (row.artifactRemovedAt !== null)
    throw new AppError(
      'recording_artifact_expired',
      `the recording's files were removed at ${row.artifactRemovedAt.toISOString()} (retention)`,
    );
  const key = what === 'video' ? row.storageKey : row.domKey;
  if (key) return key;
  if (row.state === 'ready' || row.state === 'failed')
    throw new AppError(
      'recording_not_ready',
      what === 'dom'
        ? 'this recording has no DOM event log (its policy had `rrweb` off, or none was captured)'
        : `the recording ${row.state === 'failed' ? 'failed' : 'ended'} without a file: ${row.error ?? 'nothing was recorded'}`,
      { details: { state: row.state } },
    );
  throw new AppError(
    'recording_not_ready',
    `the recording is ${row.state}; its file is downloadable once it is ready`,
    { details: { state: row.state }, headers: { 'retry-after': '2' } },
  );
}

function fileName(row: RecordingRow, ext: string): string {
  return `recording-${row.sessionId.slice(0, 8)}-${String(row.sequence).padStart(3, '0')}.${ext}`;
}

async function serveOrGone(
  c: Context<AppEnv>,
  key: string,
  contentType: string,
  filename: string,
  etag?: string,
): Promise<Response> {
  const served = await serveArtifact(requireArtifactStore(c.env), c.req.raw, {
    key,
    contentType,
    filename,
    ...(etag ? { etag } : {}),
    requestId: c.var.requestId,
  });
  if (!served)
    throw new AppError(
      'artifact_store_unavailable',
      'the recording file is missing from the store',
    );
  return served;
}

/**
 * Session recordings for people: list, start, read, stop, delete, the video and DOM event log,
 * the session's playback summary, manifest and exports. Reads are open to the owner and its
 * automation delegates (like session files); starting, stopping and deleting to the owner.
 */
export function recordingRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.listSessionRecordings, async (c, { params }) => {
    const db = c.var.db();
    await loadSession(db, params.session_id, c.var.principal, 'delegate');
    const rows = await listRecordings(db, params.session_id);
    return { status: 200, body: { recordings: rows.map(recordingResource) } };
  });

  implement(app, routes.createSessionRecording, async (c, { params }) => {
    const db = c.var.db();
    const session = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const row = await startByOwner(db, session, new Date());
    return {
      status: 201,
      body: recordingResource(row),
      headers: { location: `/api/v1/sessions/${row.sessionId}/recordings/${row.id}` },
    };
  });

  implement(app, routes.getSessionRecording, async (c, { params }) => {
    const db = c.var.db();
    await loadSession(db, params.session_id, c.var.principal, 'delegate');
    const row = await loadRecording(db, params.session_id, params.recording_id);
    return { status: 200, body: recordingResource(row) };
  });

  implement(app, routes.stopSessionRecording, async (c, { params }) => {
    const db = c.var.db();
    await loadSession(db, params.session_id, c.var.principal, 'owner');
    const row = await loadRecording(db, params.session_id, params.recording_id);
    return { status: 200, body: recordingResource(await stopByOwner(db, row, new Date())) };
  });

  implement(app, routes.deleteSessionRecording, async (c, { params }) => {
    const db = c.var.db();
    await loadSession(db, params.session_id, c.var.principal, 'owner');
    const row = await loadRecording(db, params.session_id, params.recording_id);
    await deleteRecording(db, artifactStore(c.env), row);
    return {
      status: 200,
      body: { ...recordingResource(row), artifact_available: false },
    };
  });

  implement(app, routes.getSessionRecordingContent, async (c, { params }) => {
    const db = c.var.db();
    await loadSession(db, params.session_id, c.var.principal, 'delegate');
    const row = await loadRecording(db, params.session_id, params.recording_id);
    const key = requireFile(row, 'video');
    return serveOrGone(c, key, row.mimeType ?? 'video/webm', fileName(row, 'webm'), row.id);
  });

  implement(app, routes.getSessionRecordingDomEvents, async (c, { params }) => {
    const db = c.var.db();
    await loadSession(db, params.session_id, c.var.principal, 'delegate');
    const row = await loadRecording(db, params.session_id, params.recording_id);
    requireFile(row, 'dom');
    return serveOrGone(
      c,
      domKey(row.sessionId, row.id),
      'application/gzip',
      fileName(row, 'rrweb.json.gz'),
    );
  });

  implement(app, routes.getSessionRecordingPlayback, async (c, { params }) => {
    const db = c.var.db();
    await loadSession(db, params.session_id, c.var.principal, 'delegate');
    const [rows, exports] = await Promise.all([
      listRecordings(db, params.session_id),
      exportsOf(db, [params.session_id]),
    ]);
    return { status: 200, body: playbackSummary(params.session_id, rows, exports, new Date()) };
  });

  implement(app, routes.getSessionRecordingPlaybackManifest, async (c, { params }) => {
    const db = c.var.db();
    await loadSession(db, params.session_id, c.var.principal, 'delegate');
    const rows = await listRecordings(db, params.session_id);
    return { status: 200, body: playbackManifest(params.session_id, rows, new Date()) };
  });

  implement(app, routes.getSessionRecordingPlaybackExport, async (c, { params, query }) => {
    const db = c.var.db();
    await loadSession(db, params.session_id, c.var.principal, 'delegate');
    const format = query.format ?? 'zip';
    const now = new Date();
    if (format === 'zip') {
      const manifest = playbackManifest(
        params.session_id,
        await listRecordings(db, params.session_id),
        now,
      );
      if (manifest.segments.length === 0)
        throw new AppError(
          'recording_playback_empty',
          'no recording of this session is ready to export',
        );
      try {
        return bundleResponse(requireArtifactStore(c.env), manifest, now, {
          'x-request-id': c.var.requestId,
        });
      } catch (err) {
        if (err instanceof RangeError)
          throw new AppError(
            'recording_not_ready',
            'the bundle would exceed 4 GiB; download the segments, or the `webm` export',
          );
        throw err;
      }
    }
    const store = requireArtifactStore(c.env);
    const decision = await requestExport(db, store, params.session_id, format, now);
    if (decision.kind === 'segment') {
      const row = decision.row;
      if (!artifactAvailable(row) || !row.storageKey) requireFile(row, 'video');
      return serveOrGone(
        c,
        row.storageKey as string,
        'video/webm',
        `session-${row.sessionId.slice(0, 8)}-recording.webm`,
        row.id,
      );
    }
    if (decision.kind === 'export' && decision.row.storageKey)
      return serveOrGone(
        c,
        decision.row.storageKey,
        format === 'mp4' ? 'video/mp4' : 'video/webm',
        `session-${params.session_id.slice(0, 8)}-recording.${format}`,
        decision.row.id,
      );
    throw new AppError(
      'recording_export_pending',
      `the ${format} export is being built by a recording worker; retry shortly`,
      {
        details: { export_id: decision.row.id, state: decision.row.state },
        headers: { 'retry-after': '3' },
      },
    );
  });
}
