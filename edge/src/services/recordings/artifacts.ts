/**
 * Where a recording's bytes live in the artifact store, how the worker gets them there (a
 * presigned PUT straight to an S3-compatible store, else through the edge, where the worker adds
 * its token header), and assembling the
 * parts of a recording whose recorder died into one file.
 */
import type { UploadTarget, UploadTargetRequest } from '@browserpane/api/contract';
import type { z } from 'zod';
import type { RecordingRow } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { type ArtifactStore, mapStoreError } from '../artifacts/index.ts';
import type { WorkerGrant } from './worker-token.ts';

export type UploadRequest = z.output<typeof UploadTargetRequest>;

/** How long an upload target stays valid. */
const UPLOAD_TTL_SEC = 15 * 60;

export function recordingPrefix(sessionId: string, recordingId: string): string {
  return `sessions/${sessionId}/recordings/${recordingId}/`;
}

export function videoKey(sessionId: string, recordingId: string): string {
  return `${recordingPrefix(sessionId, recordingId)}video.webm`;
}

export function domKey(sessionId: string, recordingId: string): string {
  return `${recordingPrefix(sessionId, recordingId)}dom-events.json.gz`;
}

export function partsPrefix(sessionId: string, recordingId: string): string {
  return `${recordingPrefix(sessionId, recordingId)}parts/`;
}

export function partKey(sessionId: string, recordingId: string, part: number): string {
  return `${partsPrefix(sessionId, recordingId)}${String(part).padStart(6, '0')}`;
}

export function exportKey(sessionId: string, exportId: string, format: 'webm' | 'mp4'): string {
  return `sessions/${sessionId}/exports/${exportId}.${format}`;
}

/** The route name of an artifact (`PUT /api/v1/recording-worker/artifacts/{artifact}`). */
export function artifactName(req: Pick<UploadRequest, 'artifact' | 'part'>): string {
  return req.artifact === 'part' ? `part-${String(req.part ?? 0).padStart(6, '0')}` : req.artifact;
}

/** The store key an artifact name of a grant stands for; 400 when the grant cannot upload it. */
export function keyFor(grant: WorkerGrant, name: string, exportFormat?: 'webm' | 'mp4'): string {
  if (grant.kind === 'export') {
    if (name !== 'export' || !exportFormat)
      throw new AppError('validation_failed', 'an export token uploads only the `export` artifact');
    return exportKey(grant.sessionId, grant.exportId, exportFormat);
  }
  const { sessionId, recordingId } = grant;
  if (name === 'video') return videoKey(sessionId, recordingId);
  if (name === 'dom_events') return domKey(sessionId, recordingId);
  const part = /^part-(\d{6})$/.exec(name);
  if (part && Number(part[1]) >= 1) return partKey(sessionId, recordingId, Number(part[1]));
  throw new AppError(
    'validation_failed',
    'a recording token uploads `video`, `dom_events` or `part-NNNNNN` (parts from 1)',
  );
}

const CONTENT_TYPES: Record<string, string> = {
  video: 'video/webm',
  dom_events: 'application/gzip',
  part: 'application/octet-stream',
};

/**
 * Where the worker puts one artifact: a presigned PUT when the store signs URLs (the bytes never
 * pass the edge), else the edge's artifact route (the worker adds its token header).
 */
export async function uploadTarget(
  store: ArtifactStore,
  grant: WorkerGrant,
  req: UploadRequest,
  origin: string,
  now: Date,
  exportFormat?: 'webm' | 'mp4',
): Promise<UploadTarget> {
  if (req.artifact === 'part' && req.part === undefined)
    throw new AppError('validation_failed', 'body.part is required for a `part`');
  const name = artifactName(req);
  const key = keyFor(grant, name, exportFormat);
  const contentType =
    req.content_type ??
    (req.artifact === 'export'
      ? exportFormat === 'mp4'
        ? 'video/mp4'
        : 'video/webm'
      : (CONTENT_TYPES[req.artifact] ?? 'application/octet-stream'));
  const expiresAt = new Date(now.getTime() + UPLOAD_TTL_SEC * 1000).toISOString();
  if (store.presign) {
    const url = await store
      .presign('PUT', key, { expiresSec: UPLOAD_TTL_SEC, contentType })
      .catch(mapStoreError);
    return {
      method: 'PUT',
      url,
      headers: { 'content-type': contentType },
      via: 'presigned',
      expires_at: expiresAt,
    };
  }
  return {
    method: 'PUT',
    url: `${origin}/api/v1/recording-worker/artifacts/${name}`,
    headers: { 'content-type': contentType, 'x-content-sha256': req.sha256 },
    via: 'edge',
    expires_at: expiresAt,
  };
}

/** The parts a recorder stored, in order, with their sizes. */
export async function listParts(
  store: ArtifactStore,
  row: Pick<RecordingRow, 'sessionId' | 'id'>,
): Promise<{ key: string; size: number }[]> {
  const out: { key: string; size: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = await store
      .list(partsPrefix(row.sessionId, row.id), cursor ? { cursor } : {})
      .catch(mapStoreError);
    out.push(...page.objects);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * Joins the stored parts (consecutive bytes of a live WebM) into the recording's video: what was
 * recorded up to the recorder's last upload, playable (a WebM written as a live stream has no
 * index; players read it front to back). Null when there are no parts.
 */
export async function assembleParts(
  store: ArtifactStore,
  row: Pick<RecordingRow, 'sessionId' | 'id'>,
): Promise<{ size: number } | null> {
  const parts = await listParts(store, row);
  if (parts.length === 0) return null;
  // Only a gapless run from part 1 is one file.
  const run: { key: string; size: number }[] = [];
  for (const [i, p] of parts.entries()) {
    if (!p.key.endsWith(String(i + 1).padStart(6, '0'))) break;
    run.push(p);
  }
  const size = run.reduce((n, p) => n + p.size, 0);
  if (size === 0) return null;
  let index = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const joined = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!reader) {
          const part = run[index++];
          if (!part) return controller.close();
          const object = await store.get(part.key);
          if (!object) return controller.error(new Error(`part ${part.key} vanished`));
          reader = object.body.getReader();
        }
        const { value, done } = await reader.read();
        if (done) {
          reader = undefined;
          continue;
        }
        controller.enqueue(value);
        return;
      }
    },
    async cancel() {
      await reader?.cancel();
    },
  });
  await store
    .put(videoKey(row.sessionId, row.id), joined, { size, contentType: 'video/webm' })
    .catch(mapStoreError);
  return { size };
}

/** Removes everything stored for a recording (video, parts, event log). */
export async function removeRecordingObjects(
  store: ArtifactStore,
  row: Pick<RecordingRow, 'sessionId' | 'id'>,
): Promise<void> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store
      .list(recordingPrefix(row.sessionId, row.id), cursor ? { cursor } : {})
      .catch(mapStoreError);
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.cursor ?? undefined;
  } while (cursor);
  if (keys.length > 0) await store.delete(keys).catch(mapStoreError);
}
