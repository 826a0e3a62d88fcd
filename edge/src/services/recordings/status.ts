/** The live recording status of a session (its status snapshot's `recording` and `playback`). */
import type { SessionStatus } from '@browserpane/api/contract';
import type { ExportRow, RecordingRow, SessionRow } from '../../db/schema/index.ts';
import { iso } from '../session-view.ts';
import { playbackSummary } from './view.ts';

export function recordingStatus(
  session: SessionRow,
  rows: readonly RecordingRow[],
  exports: readonly ExportRow[],
  recorders: number,
  now: Date,
): Pick<SessionStatus, 'recording' | 'playback'> {
  const active = rows.find((r) => r.state === 'starting' || r.state === 'recording');
  const finalizing = rows.find((r) => r.state === 'finalizing');
  const latest = rows[rows.length - 1];
  const state: SessionStatus['recording']['state'] =
    session.recordingMode === 'disabled' && !active && !finalizing
      ? 'disabled'
      : active
        ? 'recording'
        : finalizing
          ? 'finalizing'
          : latest?.state === 'ready' || latest?.state === 'failed'
            ? latest.state
            : 'idle';
  const current = active ?? finalizing;
  return {
    recording: {
      configured_mode: session.recordingMode,
      format: 'webm',
      retention_sec: session.recordingRetentionSec,
      state,
      active_recording_id: current?.id ?? null,
      recorder_attached: recorders > 0,
      started_at: iso(current?.startedAt ?? null),
      bytes_written: current?.bytesWritten ?? null,
      duration_ms: current?.recordedMs ?? null,
      include_audio: session.recordingAudio,
      rrweb: session.recordingRrweb,
      error: state === 'failed' ? (latest?.error ?? null) : null,
    },
    playback: playbackSummary(session.id, rows, exports, now),
  };
}
