/** Session resources and their lifecycle (reference v1 §4.1–§4.6, §4.9, §4.17, §4.18). */
import { route } from '../route.ts';
import { SessionIdParams } from '../schemas/common.ts';
import { Session, SessionList } from '../schemas/session.ts';
import {
  CreateSessionRequest,
  DeleteSessionQuery,
  ListSessionsQuery,
  UpdateSessionRequest,
} from '../schemas/session-requests.ts';
import { SessionStatus } from '../schemas/session-status.ts';

const tag = 'sessions';
const session = (description: string) => ({ description, schema: Session });

export const createSession = route({
  operationId: 'createSession',
  method: 'post',
  path: '/api/v1/sessions',
  tag,
  summary: 'Create a session',
  description:
    'Creates a session owned by the caller and places it on the nearest healthy host with room (request geography from the platform, else the `region` hint, else the least loaded host). When no host has room it stays `queued` with a `queue` block and is placed when room appears. An empty body takes every default. A caller with `MAX_SESSIONS_PER_USER` sessions running or waiting gets 429 `session_quota_exceeded`.',
  auth: 'bearer',
  body: { schema: CreateSessionRequest, required: false },
  responses: {
    201: {
      ...session('The new session (`starting` when placed, `queued` otherwise).'),
      headers: { location: 'URL of the session resource' },
    },
  },
  errors: [
    'validation_failed',
    'invalid_json',
    'unauthorized',
    'invalid_token',
    'payload_too_large',
    'unsupported_media_type',
    'session_quota_exceeded',
    'extension_not_found',
    'extension_not_approved',
  ],
});

export const listSessions = route({
  operationId: 'listSessions',
  method: 'get',
  path: '/api/v1/sessions',
  tag,
  summary: 'List sessions',
  description:
    'Sessions the caller owns or was delegated automation of, newest first, filtered, then `offset` skipped, at most `limit` (default 50).',
  auth: 'bearer',
  query: ListSessionsQuery,
  dynamicQuery: [
    {
      prefix: 'label.',
      description: 'Only sessions whose label `<key>` equals the value (AND over keys).',
    },
    {
      prefix: 'integration.',
      description:
        'Only sessions whose `integration_context` has a top-level string `<key>` equal to the value.',
    },
  ],
  responses: { 200: { description: 'Matching sessions.', schema: SessionList } },
  errors: ['validation_failed', 'unauthorized', 'invalid_token'],
});

export const getSession = route({
  operationId: 'getSession',
  method: 'get',
  path: '/api/v1/sessions/{session_id}',
  tag,
  summary: 'Read a session',
  description: 'Readable by the owner and its automation delegates; stopped sessions too.',
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 200: session('The session.') },
  errors: ['invalid_id', 'unauthorized', 'invalid_token', 'session_not_found'],
});

const stopConflict = 'session_not_stoppable' as const;

export const updateSession = route({
  operationId: 'updateSession',
  method: 'patch',
  path: '/api/v1/sessions/{session_id}',
  tag,
  summary: 'Rename a session (ours)',
  description: 'Sets or clears its `display_name`. Only its owner may.',
  auth: 'bearer',
  params: SessionIdParams,
  body: { schema: UpdateSessionRequest, required: true, limit: 4096 },
  responses: { 200: session('The session with its new name.') },
  errors: [
    'invalid_id',
    'validation_failed',
    'invalid_json',
    'unauthorized',
    'invalid_token',
    'payload_too_large',
    'unsupported_media_type',
    'session_not_found',
  ],
});

export const deleteSession = route({
  operationId: 'deleteSession',
  method: 'delete',
  path: '/api/v1/sessions/{session_id}',
  tag,
  summary: 'Safe stop (same as POST …/stop), or remove an ended session',
  description:
    'Stops the session unless clients or automation use it (409 with the unchanged `session` and `details.stop_eligibility`). The resource stays and can be reconnected. With `purge=true` (ours) an ended session no workflow run used is removed for good: its record, files, saved profile, shares and events; afterwards it is 404.',
  auth: 'bearer',
  params: SessionIdParams,
  query: DeleteSessionQuery,
  responses: {
    200: session(
      'The session, now `stopping` (its host stops the runtime) or `stopped`; with `purge=true`, the session as it was when removed.',
    ),
  },
  errors: [
    'invalid_id',
    'validation_failed',
    'unauthorized',
    'invalid_token',
    'session_not_found',
    stopConflict,
    'session_not_ended',
    'session_has_runs',
    'recording_already_active',
  ],
});

export const stopSession = route({
  operationId: 'stopSession',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/stop',
  tag,
  summary: 'Safe stop',
  description:
    'Stops only when no blockers remain; otherwise 409 with the unchanged `session` and `details.stop_eligibility`.',
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 200: session('The session, now `stopping` or `stopped`.') },
  errors: ['invalid_id', 'unauthorized', 'invalid_token', 'session_not_found', stopConflict],
});

export const killSession = route({
  operationId: 'killSession',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/kill',
  tag,
  summary: 'Force stop',
  description:
    'Terminates live attachments and the runtime regardless of blockers. A stopped session answers unchanged.',
  auth: 'bearer',
  params: SessionIdParams,
  responses: {
    200: session('The session, now `stopping` (desired `killed` on its host) or `stopped`.'),
  },
  errors: ['invalid_id', 'unauthorized', 'invalid_token', 'session_not_found'],
});

export const cancelQueuedSession = route({
  operationId: 'cancelQueuedSession',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/cancel',
  tag,
  summary: 'Cancel a queued session',
  description:
    'Withdraws a session still waiting for a host (`queued`): it becomes `stopped`. A stopped session answers unchanged; any other state is 409 `session_not_queued`. Owner only.',
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 200: session('The session, now `stopped`.') },
  errors: [
    'invalid_id',
    'unauthorized',
    'invalid_token',
    'session_not_found',
    'session_not_queued',
  ],
});

export const releaseSessionRuntime = route({
  operationId: 'releaseSessionRuntime',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/release',
  tag,
  summary: 'Release the runtime, keep the session',
  description:
    'Stops the live browser and frees its host capacity but keeps the resource and its browser profile: the session becomes `released`, and minting a connect ticket or automation access starts a new browser from the saved profile (preferably on the same host). Refused like a safe stop while blockers remain (409 `session_not_stoppable` with the unchanged `session`); a session that is `queued`, `stopping`, `stopped` or `failed` answers 409 `session_not_releasable`. Owner only.',
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 200: session('The session, now `released`.') },
  errors: [
    'invalid_id',
    'unauthorized',
    'invalid_token',
    'session_not_found',
    stopConflict,
    'session_not_releasable',
  ],
});

export const getSessionStatus = route({
  operationId: 'getSessionStatus',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/status',
  tag,
  summary: 'Lifecycle, runtime, presence and connections',
  description:
    'Side-effect free snapshot (also for stopped sessions). Readable by the owner and the automation delegates, with a bearer token or the session automation token.',
  auth: 'bearer_or_automation_token',
  params: SessionIdParams,
  responses: { 200: { description: 'The status.', schema: SessionStatus } },
  errors: ['invalid_id', 'unauthorized', 'invalid_token', 'session_not_found'],
});
