/**
 * Session recordings: the recording policy, a recording (one WebM segment of the session's chain),
 * the session-level playback summary and manifest, and the recording worker's bodies. Every member
 * and value of the reference's frozen v1 (§6, §15.8) is here; ours are additive and say so.
 */
import { count, integer, text, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';

export const RECORDING_MODES = ['disabled', 'manual', 'always'] as const;
export const RecordingMode = named(
  'SessionRecordingMode',
  z.enum(RECORDING_MODES),
  '`disabled`: never recorded. `manual`: recorded between `POST …/recordings` and its stop. `always`: recorded whenever the browser runs.',
);

export const RECORDING_STATES = ['starting', 'recording', 'finalizing', 'ready', 'failed'] as const;
export const RecordingState = named(
  'SessionRecordingResourceState',
  z.enum(RECORDING_STATES),
  '`starting` (waiting for the recorder) → `recording` → `finalizing` (stopped, the file is being closed and stored) → `ready`; any → `failed` (with `error`).',
);

export const TERMINATION_REASONS = [
  'manual_stop',
  'client_disconnect',
  'disconnect_all',
  'session_stop',
  'session_kill',
  'runtime_release',
  'idle_stop',
  'gateway_restart',
  'worker_exit',
] as const;
export const TerminationReason = named(
  'SessionRecordingTerminationReason',
  z.enum(TERMINATION_REASONS),
  'Why a segment ended: stopped through the API; the recorder lost its relay connection (`client_disconnect`, e.g. a browser restart); all connections were dropped; the session stopped, was killed, released or stopped idle; the edge or the recorder went away.',
);

export const PlaybackState = named(
  'SessionRecordingPlaybackState',
  z.enum(['empty', 'ready', 'partial']),
  '`empty`: no segment; `ready`: every segment is included; `partial`: some are left out (failed, still recording, or their file is gone).',
);

/** The policy as a session shows it (the reference's three members, then ours). */
export const RecordingPolicy = named(
  'SessionRecordingPolicy',
  z.object({
    mode: RecordingMode,
    format: z.literal('webm'),
    retention_sec: z.int().min(1).nullable().meta({
      description: 'Recordings are removed this long after they end; null: kept until deleted.',
    }),
    include_audio: z.boolean().meta({ description: "Ours: the session's audio is recorded too." }),
    rrweb: z
      .boolean()
      .meta({ description: 'Ours: a DOM event log (rrweb) is kept beside each video.' }),
  }),
);

/** The policy as a create request sends it: the reference's members, ours optional. */
export const RecordingPolicyRequest = named(
  'SessionRecordingPolicyRequest',
  z.strictObject({
    mode: RecordingMode,
    format: z.literal('webm', { error: 'must be "webm"' }).optional(),
    retention_sec: integer(1, 2_147_483_647)
      .nullable()
      .optional()
      .meta({ description: "Absent: the server's default retention." }),
    include_audio: z.boolean().optional().meta({ description: 'Ours; default false.' }),
    rrweb: z.boolean().optional().meta({ description: 'Ours; default false.' }),
  }),
  'The recording policy of a new session. Absent: the server default (`DEFAULT_RECORDING_MODE`, else `disabled`).',
);

export const SessionRecording = named(
  'SessionRecording',
  z.object({
    id: uuid(),
    session_id: uuid(),
    previous_recording_id: uuid()
      .nullable()
      .meta({ description: 'The segment before this one in the session, if any.' }),
    state: RecordingState,
    format: z.literal('webm'),
    mime_type: z.string().nullable(),
    bytes: count().nullable(),
    duration_ms: count().nullable(),
    error: z.string().nullable(),
    termination_reason: TerminationReason.nullable(),
    artifact_available: z.boolean(),
    content_path: z.string(),
    started_at: timestamp(),
    completed_at: timestamp().nullable(),
    created_at: timestamp(),
    updated_at: timestamp(),
    // Ours.
    sequence: z.int().min(1).meta({ description: "Ours: this segment's place in the session." }),
    trigger: z.enum(['manual', 'always']).meta({
      description: 'Ours: started through the API (`manual`) or by the `always` policy.',
    }),
    ended_at: timestamp()
      .nullable()
      .meta({ description: 'Ours: when recording stopped (finalizing began).' }),
    include_audio: z.boolean(),
    has_audio: z
      .boolean()
      .nullable()
      .meta({ description: 'Ours: whether the file has an audio track (known once ready).' }),
    progress: z
      .object({ bytes_written: count(), duration_ms: count(), updated_at: timestamp() })
      .nullable()
      .meta({ description: 'Ours: what the recorder reported while recording.' }),
    dom_replay: z
      .object({
        enabled: z.boolean(),
        available: z.boolean(),
        bytes: count().nullable(),
        event_count: count().nullable(),
        content_path: z.string(),
      })
      .meta({ description: 'Ours: the rrweb event log (gzipped JSON) beside the video.' }),
    expires_at: timestamp()
      .nullable()
      .meta({ description: 'Ours: when retention removes the file (null: kept).' }),
    artifact_removed_at: timestamp()
      .nullable()
      .meta({ description: 'Ours: when retention removed the file.' }),
  }),
  'One recording segment of a session: a WebM file (VP8 or VP9 video, Opus audio) of what its participants saw.',
);

export type SessionRecording = z.output<typeof SessionRecording>;

export const SessionRecordingList = named(
  'SessionRecordingList',
  z.object({ recordings: z.array(SessionRecording) }),
);

export const EXPORT_FORMATS = ['zip', 'webm', 'mp4'] as const;

const playbackCounts = {
  session_id: uuid(),
  state: PlaybackState,
  segment_count: count(),
  included_segment_count: count(),
  failed_segment_count: count(),
  active_segment_count: count(),
  missing_artifact_segment_count: count(),
  included_bytes: count(),
  included_duration_ms: count(),
};

export const PlaybackExport = named(
  'SessionRecordingPlaybackExport',
  z.object({
    format: z.enum(EXPORT_FORMATS),
    path: z.string(),
    state: z.enum(['ready', 'pending', 'building', 'not_built', 'failed', 'unavailable']).meta({
      description:
        '`ready`: downloadable now. `not_built`: asking for it starts a build. `pending`/`building`: a recording worker is joining the segments. `failed`: the last build failed (asking again retries). `unavailable`: nothing to export.',
    }),
    bytes: count().nullable(),
    error: z.string().nullable(),
  }),
  'Ours: one downloadable form of the playback: `zip` (the bundle), `webm` (the segments joined into one file), `mp4` (H.264 video, Opus audio, for players without WebM).',
);

export const PlaybackSummary = named(
  'SessionRecordingPlayback',
  z.object({
    ...playbackCounts,
    manifest_path: z.string(),
    export_path: z.string(),
    generated_at: timestamp(),
    exports: z
      .array(PlaybackExport)
      .meta({ description: 'Ours: every export format and its state.' }),
  }),
);

export const PlaybackSegment = z.object({
  sequence: z.int().min(1),
  recording_id: uuid(),
  previous_recording_id: uuid().nullable(),
  file_name: z.string(),
  content_path: z.string(),
  mime_type: z.string(),
  bytes: count().nullable(),
  duration_ms: count().nullable(),
  termination_reason: TerminationReason.nullable(),
  started_at: timestamp(),
  completed_at: timestamp().nullable(),
  // Ours.
  offset_ms: count().meta({ description: 'Ours: where this segment starts in the joined export.' }),
});

export const PlaybackManifest = named(
  'SessionRecordingPlaybackManifest',
  z.object({
    format_version: z.string(),
    ...playbackCounts,
    generated_at: timestamp(),
    segments: z.array(PlaybackSegment),
    omitted_segments: z.array(
      z.object({
        recording_id: uuid(),
        previous_recording_id: uuid().nullable(),
        state: RecordingState,
        artifact_available: z.boolean(),
        omitted_reason: z.enum(['artifact_missing', 'failed', 'in_progress']),
        termination_reason: TerminationReason.nullable(),
        error: z.string().nullable(),
        started_at: timestamp(),
        completed_at: timestamp().nullable(),
      }),
    ),
  }),
  'The playable segments of a session in order (`segments`), and the rest with why they are left out.',
);

export type PlaybackManifest = z.output<typeof PlaybackManifest>;

export const RecordingParams = z.strictObject({ session_id: uuid(), recording_id: uuid() });

export const PlaybackExportQuery = z.strictObject({
  format: z
    .enum(EXPORT_FORMATS, { error: 'must be one of "zip", "webm", "mp4"' })
    .optional()
    .meta({ description: 'Ours; default `zip` (the reference bundle).' }),
});

// --- the recording worker ------------------------------------------------------------------------

export const RECORDING_WORKER_HEADER = 'x-bpane-recording-worker-token';

/** The reference's completion body (not closed), plus ours. */
export const CompleteRecordingRequest = named(
  'CompleteSessionRecordingRequest',
  z.object({
    source_path: text({ min: 1, max: 1024 }).meta({
      description:
        'The finished file: `…/<session_id>/<recording_id>.webm`. The worker uploads it first (`POST /api/v1/recording-worker/upload-targets`, artifact `video`); the edge takes the stored object, never a path on its own disk.',
    }),
    mime_type: z.string().max(128).nullable().optional(),
    bytes: count().nullable().optional().meta({
      description: 'If sent: must equal the stored size (integrity check).',
    }),
    duration_ms: count().nullable().optional(),
    // Ours.
    has_audio: z.boolean().optional(),
    dom_event_count: count().optional().meta({
      description: 'Ours: events in the uploaded rrweb log (artifact `dom_events`).',
    }),
  }),
);

export const FailRecordingRequest = named(
  'FailSessionRecordingRequest',
  z.object({
    error: text({ min: 1, max: 2000 }),
    termination_reason: TerminationReason.optional(),
  }),
);

export const RecordingProgressRequest = named(
  'RecordingProgressRequest',
  z.strictObject({
    state: z.enum(['recording', 'finalizing']).meta({
      description:
        '`recording`: the recorder is attached and writing. `finalizing`: it stopped on its own (with `termination_reason`) and is closing the file.',
    }),
    bytes_written: count().optional(),
    duration_ms: count().optional(),
    parts: count().optional().meta({ description: 'Parts uploaded so far (crash safety).' }),
    termination_reason: TerminationReason.optional(),
  }),
  "The recorder's report: attached, still writing (bytes and duration so far), or stopping by itself. The answer is the recording: `finalizing` tells the recorder to stop.",
);

export const UPLOAD_ARTIFACTS = ['video', 'part', 'dom_events', 'export'] as const;

export const UploadTargetRequest = named(
  'RecordingUploadTargetRequest',
  z.strictObject({
    artifact: z.enum(UPLOAD_ARTIFACTS),
    part: integer(1, 999_999)
      .optional()
      .meta({ description: '`part` only: its number (1, 2, …); parts are consecutive bytes.' }),
    size: integer(0, 8 * 1024 ** 3),
    sha256: text({ min: 64, max: 64, pattern: /^[0-9a-f]{64}$/, hint: '64 lowercase hex digits' }),
    content_type: text({
      max: 128,
      pattern: /^[\w.+-]+\/[\w.+-]+$/,
      hint: 'a media type',
    }).optional(),
  }),
);

export const UploadTarget = named(
  'RecordingUploadTarget',
  z.object({
    method: z.literal('PUT'),
    url: z.string().meta({ format: 'uri' }),
    headers: z.record(z.string(), z.string()).meta({
      description: `Send these with the bytes; to an \`edge\` target also the worker token (\`${RECORDING_WORKER_HEADER}\`).`,
    }),
    via: z.enum(['edge', 'presigned']).meta({
      description:
        '`presigned`: straight to the S3-compatible store (the bytes never pass the edge); `edge`: through the edge (R2 binding, workerd disk).',
    }),
    expires_at: timestamp(),
  }),
  'Where the worker puts an artifact.',
);

export const DownloadSources = named(
  'RecordingExportSources',
  z.object({
    format: z.enum(['webm', 'mp4']),
    segments: z.array(
      z.object({
        recording_id: uuid(),
        sequence: z.int().min(1),
        bytes: count(),
        duration_ms: count().nullable(),
        url: z.string().meta({ format: 'uri' }),
        headers: z.record(z.string(), z.string()),
        via: z.enum(['edge', 'presigned']),
      }),
    ),
  }),
  'The segments an export joins, in order, and where to read each.',
);

export const CompleteExportRequest = named(
  'CompleteRecordingExportRequest',
  z.strictObject({ bytes: count(), duration_ms: count() }),
);

export const FailExportRequest = named(
  'FailRecordingExportRequest',
  z.strictObject({ error: text({ min: 1, max: 2000 }) }),
);

export const ArtifactParams = z.strictObject({
  artifact: text({
    min: 1,
    max: 32,
    pattern: /^(video|dom_events|export|part-\d{6})$/,
    hint: '`video`, `dom_events`, `export` or `part-NNNNNN`',
  }),
});

export const RecordingSourceParams = z.strictObject({ recording_id: uuid() });

/** One recording the host's recorder should run (desired state). */
export const DesiredRecording = named(
  'DesiredRecording',
  z.object({
    recording_id: uuid(),
    session_id: uuid(),
    state: RecordingState,
    include_audio: z.boolean(),
    rrweb: z.boolean(),
    worker_token: z.string().meta({
      description: `The recording's worker token (${RECORDING_WORKER_HEADER}): short-lived, this recording only; renewed in every answer.`,
    }),
    token_expires_at: timestamp(),
  }),
  'A recording the host runs a recorder for: `starting`/`recording` (record), `finalizing` (finish and store what was recorded).',
);

/** One export a host's recording worker should build (desired state). */
export const DesiredExport = named(
  'DesiredExport',
  z.object({
    export_id: uuid(),
    session_id: uuid(),
    format: z.enum(['webm', 'mp4']),
    worker_token: z.string(),
    token_expires_at: timestamp(),
  }),
  'A joined export of a session the host builds (segments in, one file out).',
);

export type PlaybackSummary = z.output<typeof PlaybackSummary>;
export type UploadTarget = z.output<typeof UploadTarget>;
export type DesiredRecording = z.output<typeof DesiredRecording>;
export type DesiredExport = z.output<typeof DesiredExport>;
