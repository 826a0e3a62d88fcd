/**
 * The stable error codes of the API and the HTTP status each answers with. Clients branch on
 * `code`; the human-readable `error` text may change.
 */
export const ERROR_CODES = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  invalid_id: 400,
  unauthorized: 401,
  invalid_token: 401,
  host_unauthorized: 401,
  forbidden: 403,
  workflow_worker_required: 403,
  automation_owner_required: 403,
  not_found: 404,
  route_not_found: 404,
  session_not_found: 404,
  connection_not_found: 404,
  workflow_not_found: 404,
  workflow_version_not_found: 404,
  workflow_run_not_found: 404,
  produced_file_not_found: 404,
  share_not_found: 404,
  share_link_invalid: 404,
  method_not_allowed: 405,
  session_not_stoppable: 409,
  session_not_ended: 409,
  session_has_runs: 409,
  session_not_running: 409,
  session_not_queued: 409,
  session_not_releasable: 409,
  session_queued: 409,
  session_stopped: 409,
  host_name_taken: 409,
  profile_revision_stale: 409,
  workflow_version_exists: 409,
  workflow_version_not_runnable: 409,
  idempotency_conflict: 409,
  run_state_conflict: 409,
  stale_attempt: 409,
  source_not_ready: 409,
  git_url_forbidden: 400,
  input_invalid: 400,
  git_ref_not_found: 422,
  source_invalid: 422,
  git_unreachable: 502,
  payload_too_large: 413,
  range_not_satisfiable: 416,
  unsupported_media_type: 415,
  session_quota_exceeded: 429,
  internal_error: 500,
  config_invalid: 500,
  bad_gateway: 502,
  database_unavailable: 503,
  artifact_store_unavailable: 503,
  workflow_worker_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

/** What each status means in the document (the codes that answer with it are listed beside). */
export const STATUS_MEANINGS: Record<number, string> = {
  400: 'Malformed request: invalid JSON, wrong types, unknown fields, bad ids or query parameters.',
  401: 'Missing or rejected credentials.',
  403: 'The caller may see the resource but not do this.',
  404: "No such resource for this caller (another owner's session looks the same).",
  405: 'The path exists, the method does not (see the `allow` header).',
  409: 'The resource is not in a state that allows this.',
  413: 'The body is larger than the route accepts.',
  415: 'The body is not JSON.',
  422: 'The workflow source cannot be used: its ref does not exist, or its files break the limits.',
  416: 'The requested byte range lies outside the content (`content-range: bytes */<size>`).',
  429: 'The caller already has as many sessions running or waiting as the edge allows per user (`MAX_SESSIONS_PER_USER`); stop one first.',
  500: 'An internal error; the request id identifies it in the logs.',
  502: "A git repository could not be reached (the message says what git answered), or the proxy in front of the edge worker could not reach it (the local stack's front); retry shortly.",
  503: 'The database, the artifact store or the workflow workers are unavailable; retry shortly.',
};

/** Errors any route may answer with, besides its own. */
export const COMMON_ERRORS = ['internal_error', 'config_invalid', 'database_unavailable'] as const;
