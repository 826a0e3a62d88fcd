/**
 * The recording worker's side (reference v1 §6.5, §6.6, and ours under `/api/v1/recording-worker`).
 * Its only credential is the token its host hands it for one recording or one export
 * (`x-bpane-recording-worker-token`, short-lived); it grants nothing beyond that recording or export:
 * no owner, automation or input authority, and a recorder ticket at most.
 */
import { z } from '../fields.ts';
import { route } from '../route.ts';
import {
  ArtifactParams,
  CompleteExportRequest,
  CompleteRecordingRequest,
  DownloadSources,
  FailExportRequest,
  FailRecordingRequest,
  PlaybackExport,
  RecordingParams,
  RecordingProgressRequest,
  RecordingSourceParams,
  SessionRecording,
  UploadTarget,
  UploadTargetRequest,
} from '../schemas/recordings.ts';
import { ConnectTicket } from '../schemas/tickets.ts';

const tag = 'recording worker';
const base = ['recording_worker_unauthorized', 'validation_failed', 'invalid_json'] as const;
const json = ['payload_too_large', 'unsupported_media_type'] as const;
const recording = (description: string) => ({ description, schema: SessionRecording });

export const completeSessionRecording = route({
  operationId: 'completeSessionRecording',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/recordings/{recording_id}/complete',
  tag,
  summary: 'Complete a recording (worker)',
  description:
    'The recording is `finalizing` (else 409) and its file is stored (artifact `video`): it becomes `ready` with the stored size (`bytes`, if sent, must match).',
  auth: 'recording_worker',
  params: RecordingParams,
  body: { schema: CompleteRecordingRequest, required: true },
  responses: { 200: recording('The ready recording.') },
  errors: [
    'invalid_id',
    ...base,
    ...json,
    'recording_not_found',
    'recording_not_active',
    'artifact_store_unavailable',
  ],
});

export const failSessionRecording = route({
  operationId: 'failSessionRecording',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/recordings/{recording_id}/fail',
  tag,
  summary: 'Fail a recording (worker)',
  description:
    'The recording could not be recorded or stored: `failed` with `error` (and `termination_reason`, default `worker_exit`). Parts already stored stay downloadable when they form a file. A finished recording is 409.',
  auth: 'recording_worker',
  params: RecordingParams,
  body: { schema: FailRecordingRequest, required: true },
  responses: { 200: recording('The failed recording.') },
  errors: ['invalid_id', ...base, ...json, 'recording_not_found', 'recording_not_active'],
});

export const reportRecordingProgress = route({
  operationId: 'reportRecordingProgress',
  method: 'post',
  path: '/api/v1/recording-worker/progress',
  tag,
  summary: 'Report recording progress (worker)',
  description:
    'The recorder attached (`starting` → `recording`), how much it wrote, or that it stops by itself (`finalizing`, with a reason). Answers the recording: `finalizing` means stop, close and store the file.',
  auth: 'recording_worker',
  body: { schema: RecordingProgressRequest, required: true },
  responses: { 200: recording('The recording.') },
  errors: [...base, ...json, 'recording_not_found', 'recording_not_active'],
});

export const issueRecorderTicket = route({
  operationId: 'issueRecorderTicket',
  method: 'post',
  path: '/api/v1/recording-worker/recorder-ticket',
  tag,
  summary: 'Mint a recorder ticket (worker)',
  description:
    "A connect ticket of role `recorder` for the recording's session: the picture, the cursor and (when the session has audio) its audio; never input. Its `cdp_url` admits the worker to the session's CDP gateway for rrweb DOM capture only (a recording with `rrweb` on).",
  auth: 'recording_worker',
  responses: { 200: { description: 'The ticket.', schema: ConnectTicket } },
  errors: [
    'recording_worker_unauthorized',
    'recording_not_found',
    'recording_not_active',
    'session_not_running',
    'session_queued',
    'session_stopped',
  ],
});

export const createRecordingUploadTarget = route({
  operationId: 'createRecordingUploadTarget',
  method: 'post',
  path: '/api/v1/recording-worker/upload-targets',
  tag,
  summary: 'Where to upload an artifact (worker)',
  description:
    "A recording's `video` (the finished file), its numbered `part`s (the file's bytes while it is written, so a crash loses at most the last seconds) and `dom_events`; an export's `export`. On an S3-compatible store a presigned PUT (the bytes go straight to the store); on the R2 binding and the workerd disk store the edge's `PUT /api/v1/recording-worker/artifacts/{artifact}`.",
  auth: 'recording_worker',
  body: { schema: UploadTargetRequest, required: true },
  responses: { 200: { description: 'The upload target.', schema: UploadTarget } },
  errors: [
    ...base,
    ...json,
    'recording_not_found',
    'recording_not_active',
    'artifact_store_unavailable',
  ],
});

export const putRecordingArtifact = route({
  operationId: 'putRecordingArtifact',
  method: 'put',
  path: '/api/v1/recording-worker/artifacts/{artifact}',
  tag,
  summary: 'Upload an artifact through the edge (worker)',
  description:
    'The edge upload target: `content-length`, `x-content-sha256` (checked by the store: other bytes leave nothing behind), at most 8 GiB.',
  auth: 'recording_worker',
  params: ArtifactParams,
  body: {
    raw: true,
    contentType: '*/*',
    description: 'The artifact bytes.',
  },
  responses: {
    201: {
      description: 'Stored.',
      schema: z.object({ artifact: z.string(), size: z.int().min(0) }),
    },
  },
  errors: [
    'invalid_id',
    ...base,
    'recording_not_found',
    'recording_not_active',
    'payload_too_large',
    'artifact_store_unavailable',
  ],
});

export const getRecordingExportSources = route({
  operationId: 'getRecordingExportSources',
  method: 'post',
  path: '/api/v1/recording-worker/export-sources',
  tag,
  summary: 'The segments an export joins (worker)',
  description:
    'For an export token: the included segments in playback order and where to read each (a presigned GET on S3, else `GET /api/v1/recording-worker/sources/{recording_id}`).',
  auth: 'recording_worker',
  responses: { 200: { description: 'The segments.', schema: DownloadSources } },
  errors: ['recording_worker_unauthorized', 'recording_not_found', 'artifact_store_unavailable'],
});

export const getRecordingExportSource = route({
  operationId: 'getRecordingExportSource',
  method: 'get',
  path: '/api/v1/recording-worker/sources/{recording_id}',
  tag,
  summary: "Read a segment's file (worker)",
  auth: 'recording_worker',
  params: RecordingSourceParams,
  responses: { 200: { description: 'The segment.', contentType: 'video/webm' } },
  errors: [
    'invalid_id',
    'recording_worker_unauthorized',
    'recording_not_found',
    'range_not_satisfiable',
    'artifact_store_unavailable',
  ],
});

export const completeRecordingExport = route({
  operationId: 'completeRecordingExport',
  method: 'post',
  path: '/api/v1/recording-worker/export/complete',
  tag,
  summary: 'An export is built (worker)',
  description: 'The joined file is uploaded (artifact `export`); it becomes downloadable.',
  auth: 'recording_worker',
  body: { schema: CompleteExportRequest, required: true },
  responses: { 200: { description: 'The export.', schema: PlaybackExport } },
  errors: [...base, ...json, 'recording_not_found', 'artifact_store_unavailable'],
});

export const failRecordingExport = route({
  operationId: 'failRecordingExport',
  method: 'post',
  path: '/api/v1/recording-worker/export/fail',
  tag,
  summary: 'An export could not be built (worker)',
  auth: 'recording_worker',
  body: { schema: FailExportRequest, required: true },
  responses: { 200: { description: 'The export.', schema: PlaybackExport } },
  errors: [...base, ...json, 'recording_not_found'],
});
