/**
 * Session recordings for people (reference v1 §6.1–§6.4, §6.7–§6.10) and ours: delete, the DOM
 * event log, export formats. Reads are open to the owner and the automation delegates; starting,
 * stopping and deleting to the owner.
 */
import { route } from '../route.ts';
import { SessionIdParams } from '../schemas/common.ts';
import {
  PlaybackExportQuery,
  PlaybackManifest,
  PlaybackSummary,
  RecordingParams,
  SessionRecording,
  SessionRecordingList,
} from '../schemas/recordings.ts';

const tag = 'recordings';
const read = [
  'invalid_id',
  'unauthorized',
  'invalid_token',
  'session_not_found',
  'recording_not_found',
] as const;
const recording = (description: string) => ({ description, schema: SessionRecording });

export const listSessionRecordings = route({
  operationId: 'listSessionRecordings',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/recordings',
  tag,
  summary: "A session's recordings",
  description: 'Every recording segment of the session, oldest first (by `sequence`).',
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 200: { description: 'The recordings.', schema: SessionRecordingList } },
  errors: ['invalid_id', 'unauthorized', 'invalid_token', 'session_not_found'],
});

export const createSessionRecording = route({
  operationId: 'createSessionRecording',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/recordings',
  tag,
  summary: 'Start recording',
  description:
    "Starts recording a running session (policy `manual` or `always`; a bare POST). The host's recording worker joins the session as a passive `recorder` participant (never input) and records what its participants see (tiles, video regions, cursor; the audio when the policy says so) into WebM. The recording is `starting` until the recorder is attached. A runtime restart or a recorder reconnect continues in a new segment (`previous_recording_id`) until it is stopped. 409 `recording_disabled` when the policy is `disabled`, `recording_already_active` while one runs, `session_not_running` without a browser.",
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 201: recording('The new recording (`starting`).') },
  errors: [
    'invalid_id',
    'unauthorized',
    'invalid_token',
    'session_not_found',
    'recording_disabled',
    'recording_already_active',
    'session_not_running',
  ],
});

export const getSessionRecording = route({
  operationId: 'getSessionRecording',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/recordings/{recording_id}',
  tag,
  summary: 'A recording',
  auth: 'bearer',
  params: RecordingParams,
  responses: { 200: recording('The recording.') },
  errors: read,
});

export const stopSessionRecording = route({
  operationId: 'stopSessionRecording',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/recordings/{recording_id}/stop',
  tag,
  summary: 'Stop recording',
  description:
    'Moves an active recording to `finalizing` (reason `manual_stop`); the recorder closes the file and stores it, then it is `ready`. Stopping a `finalizing` one answers it unchanged; a finished one is 409 `recording_not_active`. With policy `always`, recording resumes when the browser next starts (or with `POST …/recordings`).',
  auth: 'bearer',
  params: RecordingParams,
  responses: { 200: recording('The recording, now `finalizing`.') },
  errors: [...read, 'recording_not_active'],
});

export const deleteSessionRecording = route({
  operationId: 'deleteSessionRecording',
  method: 'delete',
  path: '/api/v1/sessions/{session_id}/recordings/{recording_id}',
  tag,
  summary: 'Delete a recording',
  description:
    'Removes a finished recording (`ready` or `failed`) and its files; answers the removed resource. An active one must be stopped first (409 `recording_already_active`).',
  auth: 'bearer',
  params: RecordingParams,
  responses: { 200: recording('The removed recording.') },
  errors: [...read, 'recording_already_active', 'artifact_store_unavailable'],
});

export const getSessionRecordingContent = route({
  operationId: 'getSessionRecordingContent',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/recordings/{recording_id}/content',
  tag,
  summary: "A recording's video",
  description:
    'The WebM file (`video/webm`), resumable: `accept-ranges`, one `Range` → 206, past the end → 416, `If-Range`, HEAD. While the recording is not finished: 409 `recording_not_ready` (with its state; never 404). After retention removed it: 410.',
  auth: 'bearer',
  params: RecordingParams,
  responses: {
    200: { description: 'The video.', contentType: 'video/webm' },
    206: { description: 'The requested byte range.', contentType: 'video/webm' },
  },
  errors: [
    ...read,
    'recording_not_ready',
    'recording_artifact_expired',
    'range_not_satisfiable',
    'artifact_store_unavailable',
  ],
});

export const getSessionRecordingDomEvents = route({
  operationId: 'getSessionRecordingDomEvents',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/recordings/{recording_id}/dom-events',
  tag,
  summary: "A recording's DOM event log",
  description:
    'Ours: the rrweb events captured beside the video (policy `rrweb`), as gzipped JSON (`application/gzip`: `{ recording_id, event_count, events: [...] }`), for an rrweb player. 409 `recording_not_ready` when the recording has none (yet).',
  auth: 'bearer',
  params: RecordingParams,
  responses: { 200: { description: 'The gzipped event log.', contentType: 'application/gzip' } },
  errors: [
    ...read,
    'recording_not_ready',
    'recording_artifact_expired',
    'range_not_satisfiable',
    'artifact_store_unavailable',
  ],
});

export const getSessionRecordingPlayback = route({
  operationId: 'getSessionRecordingPlayback',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/recording-playback',
  tag,
  summary: "The session's playback",
  description:
    'Counts of the segments that play (`ready` with a file), failed, still recording, or whose file is gone, with the manifest and export paths and each export format.',
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 200: { description: 'The playback summary.', schema: PlaybackSummary } },
  errors: ['invalid_id', 'unauthorized', 'invalid_token', 'session_not_found'],
});

export const getSessionRecordingPlaybackManifest = route({
  operationId: 'getSessionRecordingPlaybackManifest',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/recording-playback/manifest',
  tag,
  summary: "The session's playback manifest",
  description:
    '`browserpane_recording_playback_v1`: the included segments in order (started_at, created_at, id) with their file names in the export bundle, and the omitted ones with a reason.',
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 200: { description: 'The manifest.', schema: PlaybackManifest } },
  errors: ['invalid_id', 'unauthorized', 'invalid_token', 'session_not_found'],
});

export const getSessionRecordingPlaybackExport = route({
  operationId: 'getSessionRecordingPlaybackExport',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/recording-playback/export',
  tag,
  summary: "The session's playback export",
  description:
    "`format=zip` (default, the reference's bundle): `manifest.json`, `player.html` (plays the segments in order) and `segments/NNNN-<recording_id>.webm`, streamed. Ours: `format=webm` joins the included segments into one file a `<video>` plays through; `format=mp4` is the same with the video as H.264 (the audio, when recorded, stays Opus), its index first so it plays while downloading. Both are built by a recording worker on first request (409 `recording_export_pending`, `retry-after`), then served with ranges. 409 `recording_playback_empty` when no segment is ready.",
  auth: 'bearer',
  params: SessionIdParams,
  query: PlaybackExportQuery,
  responses: {
    200: { description: 'The export.', contentType: 'application/zip' },
    206: { description: 'A byte range of a `webm` or `mp4` export.', contentType: 'video/webm' },
  },
  errors: [
    'invalid_id',
    'validation_failed',
    'unauthorized',
    'invalid_token',
    'session_not_found',
    'recording_playback_empty',
    'recording_export_pending',
    'range_not_satisfiable',
    'artifact_store_unavailable',
  ],
});
