/**
 * Every failure of an API call: an HTTP error answer (with the edge's stable `code`, the
 * `request_id` to find it in the logs, and `details`), or no answer at all (`status` 0, code
 * `unreachable` or `timeout`).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  /** The edge's stable error code; `http_error` when the answer was not the API's error shape. */
  readonly code: string;
  readonly requestId: string | null;
  readonly details: Record<string, unknown> | undefined;
  /** The whole error body (e.g. `session` on a refused stop). */
  readonly body: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: {
      requestId?: string | null;
      details?: Record<string, unknown>;
      body?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.status = status;
    this.code = code;
    this.requestId = extra.requestId ?? null;
    this.details = extra.details;
    this.body = extra.body;
  }

  /** The answer an error body gives (`{ error, code, request_id, details }`), or the status line. */
  static fromAnswer(status: number, statusText: string, text: string, what: string): ApiError {
    let body: Record<string, unknown> | undefined;
    try {
      const parsed = text ? (JSON.parse(text) as unknown) : undefined;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    const message = typeof body?.error === 'string' ? body.error : statusText || `HTTP ${status}`;
    const code = typeof body?.code === 'string' ? body.code : 'http_error';
    return new ApiError(status, code, `${what}: ${message}`, {
      requestId: typeof body?.request_id === 'string' ? body.request_id : null,
      details:
        body?.details && typeof body.details === 'object'
          ? (body.details as Record<string, unknown>)
          : undefined,
      body,
    });
  }
}
