import { ERROR_CODES, type ErrorBody, type ErrorCode } from '@browserpane/api/contract';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type { ErrorCode };

/**
 * The one error type handlers throw; `app.onError` turns it into the one JSON error body,
 * `{ error: <message>, code, request_id, details?, session? }` (declared in
 * `@browserpane/api/contract`). `code` is stable: clients branch on it; the message is for
 * people and may change.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;
  /** The unchanged session of a refused stop or release (the reference's conflict body). */
  readonly session: ErrorBody['session'];

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      details?: Record<string, unknown>;
      cause?: unknown;
      headers?: Record<string, string>;
      session?: ErrorBody['session'];
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.details = options.details;
    this.headers = options.headers;
    this.session = options.session;
  }
}

export function errorBody(error: AppError, requestId: string): ErrorBody {
  return {
    error: error.message,
    code: error.code,
    request_id: requestId,
    ...(error.details ? { details: error.details } : {}),
    ...(error.session ? { session: error.session } : {}),
  };
}
