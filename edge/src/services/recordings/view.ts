/** Recordings as the API shows them: the resource, and the session's playback summary and manifest. */
import type {
  PlaybackManifest,
  PlaybackSummary,
  SessionRecording,
} from '@browserpane/api/contract';
import type { ExportRow, RecordingRow } from '../../db/schema/index.ts';
import { iso } from '../session-view.ts';

export const PLAYBACK_FORMAT_VERSION = 'browserpane_recording_playback_v1';
export const WEBM = 'video/webm';

export function recordingPath(sessionId: string, recordingId: string): string {
  return `/api/v1/sessions/${sessionId}/recordings/${recordingId}`;
}

/** The stored video is there (finished, not removed by retention). */
export function artifactAvailable(row: RecordingRow): boolean {
  return row.storageKey !== null && row.artifactRemovedAt === null;
}

export function recordingResource(row: RecordingRow): SessionRecording {
  const path = recordingPath(row.sessionId, row.id);
  const finished = row.state === 'ready' || row.state === 'failed';
  return {
    id: row.id,
    session_id: row.sessionId,
    previous_recording_id: row.previousRecordingId,
    state: row.state,
    format: 'webm',
    mime_type: finished ? row.mimeType : null,
    bytes: finished ? row.bytes : null,
    duration_ms: finished ? row.durationMs : null,
    error: row.error,
    termination_reason: row.terminationReason,
    artifact_available: artifactAvailable(row),
    content_path: `${path}/content`,
    started_at: row.startedAt.toISOString(),
    completed_at: iso(row.completedAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    sequence: row.sequence,
    trigger: row.trigger,
    ended_at: iso(row.endedAt),
    include_audio: row.includeAudio,
    has_audio: row.hasAudio,
    progress:
      row.progressAt === null
        ? null
        : {
            bytes_written: row.bytesWritten ?? 0,
            duration_ms: row.recordedMs ?? 0,
            updated_at: row.progressAt.toISOString(),
          },
    dom_replay: {
      enabled: row.rrweb,
      available: row.domKey !== null && row.artifactRemovedAt === null,
      bytes: row.domBytes,
      event_count: row.domEvents,
      content_path: `${path}/dom-events`,
    },
    expires_at: iso(row.expiresAt),
    artifact_removed_at: iso(row.artifactRemovedAt),
  };
}

/** Playback order: started_at, then created_at, then id (the reference's). */
export function playbackOrder(rows: readonly RecordingRow[]): RecordingRow[] {
  return [...rows].sort(
    (a, b) =>
      a.startedAt.getTime() - b.startedAt.getTime() ||
      a.createdAt.getTime() - b.createdAt.getTime() ||
      a.id.localeCompare(b.id),
  );
}

type Omitted = PlaybackManifest['omitted_segments'][number]['omitted_reason'];

function omittedReason(row: RecordingRow): Omitted | null {
  if (row.state === 'ready') return artifactAvailable(row) ? null : 'artifact_missing';
  if (row.state === 'failed') return 'failed';
  return 'in_progress';
}

/** The included segments (ready with a file), in playback order. */
export function includedSegments(rows: readonly RecordingRow[]): RecordingRow[] {
  return playbackOrder(rows).filter((r) => omittedReason(r) === null);
}

function counts(sessionId: string, rows: readonly RecordingRow[]) {
  const reasons = rows.map(omittedReason);
  const included = rows.filter((_, i) => reasons[i] === null);
  const omitted = reasons.filter((r) => r !== null).length;
  return {
    session_id: sessionId,
    state:
      rows.length === 0
        ? ('empty' as const)
        : omitted === 0
          ? ('ready' as const)
          : ('partial' as const),
    segment_count: rows.length,
    included_segment_count: included.length,
    failed_segment_count: reasons.filter((r) => r === 'failed').length,
    active_segment_count: reasons.filter((r) => r === 'in_progress').length,
    missing_artifact_segment_count: reasons.filter((r) => r === 'artifact_missing').length,
    included_bytes: included.reduce((n, r) => n + (r.bytes ?? 0), 0),
    included_duration_ms: included.reduce((n, r) => n + (r.durationMs ?? 0), 0),
  };
}

/** The ids an export of the included segments joins, as stored with it. */
export function segmentKey(included: readonly RecordingRow[]): string {
  return included.map((r) => r.id).join(',');
}

function exportView(
  sessionId: string,
  format: 'zip' | 'webm' | 'mp4',
  included: readonly RecordingRow[],
  row: ExportRow | undefined,
): PlaybackSummary['exports'][number] {
  const path = `/api/v1/sessions/${sessionId}/recording-playback/export?format=${format}`;
  if (included.length === 0)
    return { format, path, state: 'unavailable', bytes: null, error: null };
  if (format === 'zip') return { format, path, state: 'ready', bytes: null, error: null };
  if (format === 'webm' && included.length === 1)
    return { format, path, state: 'ready', bytes: included[0]?.bytes ?? null, error: null };
  if (!row || row.segments !== segmentKey(included))
    return { format, path, state: 'not_built', bytes: null, error: null };
  return {
    format,
    path,
    state: row.state,
    bytes: row.state === 'ready' ? row.bytes : null,
    error: row.error,
  };
}

export function playbackSummary(
  sessionId: string,
  rows: readonly RecordingRow[],
  exports: readonly ExportRow[],
  now: Date,
): PlaybackSummary {
  const included = includedSegments(rows);
  const base = `/api/v1/sessions/${sessionId}/recording-playback`;
  return {
    ...counts(sessionId, rows),
    manifest_path: `${base}/manifest`,
    export_path: `${base}/export`,
    generated_at: now.toISOString(),
    exports: (['zip', 'webm', 'mp4'] as const).map((f) =>
      exportView(
        sessionId,
        f,
        included,
        exports.find((e) => e.format === f),
      ),
    ),
  };
}

/** The segment's file name inside the export bundle. */
export function bundleFileName(sequence: number, recordingId: string): string {
  return `segments/${String(sequence).padStart(4, '0')}-${recordingId}.webm`;
}

export function playbackManifest(
  sessionId: string,
  rows: readonly RecordingRow[],
  now: Date,
): PlaybackManifest {
  const ordered = playbackOrder(rows);
  const segments: PlaybackManifest['segments'] = [];
  const omitted: PlaybackManifest['omitted_segments'] = [];
  let offset = 0;
  for (const row of ordered) {
    const reason = omittedReason(row);
    if (reason === null) {
      const sequence = segments.length + 1;
      segments.push({
        sequence,
        recording_id: row.id,
        previous_recording_id: row.previousRecordingId,
        file_name: bundleFileName(sequence, row.id),
        content_path: `${recordingPath(sessionId, row.id)}/content`,
        mime_type: row.mimeType ?? WEBM,
        bytes: row.bytes,
        duration_ms: row.durationMs,
        termination_reason: row.terminationReason,
        started_at: row.startedAt.toISOString(),
        completed_at: iso(row.completedAt),
        offset_ms: offset,
      });
      offset += row.durationMs ?? 0;
    } else {
      omitted.push({
        recording_id: row.id,
        previous_recording_id: row.previousRecordingId,
        state: row.state,
        artifact_available: artifactAvailable(row),
        omitted_reason: reason,
        termination_reason: row.terminationReason,
        error: row.error,
        started_at: row.startedAt.toISOString(),
        completed_at: iso(row.completedAt),
      });
    }
  }
  return {
    format_version: PLAYBACK_FORMAT_VERSION,
    ...counts(sessionId, rows),
    generated_at: now.toISOString(),
    segments,
    omitted_segments: omitted,
  };
}
