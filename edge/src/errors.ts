import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Every error the API answers with has one shape, `{ error: { code, message, request_id } }`
 * (plus `details` where a client can act on them, e.g. stop blockers). `code` is stable: clients
 * branch on it; `message` is for people and may change.
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
  automation_owner_required: 403,
  not_found: 404,
  route_not_found: 404,
  session_not_found: 404,
  connection_not_found: 404,
  method_not_allowed: 405,
  session_not_stoppable: 409,
  session_not_running: 409,
  session_queued: 409,
  session_stopped: 409,
  host_name_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  session_quota_exceeded: 429,
  internal_error: 500,
  config_invalid: 500,
  database_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    request_id: string;
    details?: Record<string, unknown>;
  };
}

/** The one error type handlers throw; `app.onError` turns it into the JSON error shape. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      details?: Record<string, unknown>;
      cause?: unknown;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.details = options.details;
    this.headers = options.headers;
  }
}

export function errorBody(error: AppError, requestId: string): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      request_id: requestId,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}
