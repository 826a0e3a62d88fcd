import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env.ts';
import { AppError, errorBody } from '../errors.ts';
import { createLogger } from '../log.ts';

const log = createLogger('http');

/** The innermost cause: a driver error, not drizzle's wrapper (whose message carries query parameters). */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current;
}

function fromUnknown(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    const code =
      error.status === 413
        ? 'payload_too_large'
        : error.status === 401
          ? 'unauthorized'
          : 'bad_request';
    return new AppError(code, error.message || 'bad request', { cause: error });
  }
  const root = rootCause(error);
  const message =
    root instanceof Error
      ? `${root.message} ${(root as { code?: string }).code ?? ''}`
      : String(root);
  // Postgres connection failures: say the database is unavailable rather than "internal error".
  const sqlState = String((root as { code?: unknown })?.code ?? '');
  if (
    /ECONNREFUSED|ECONNRESET|connect_timeout|CONNECTION_|could not connect|Network connection lost/i.test(
      message,
    ) ||
    /^(08|53|57P)/.test(sqlState)
  ) {
    return new AppError('database_unavailable', 'the database is unavailable; try again shortly', {
      cause: error,
    });
  }
  // Postgres "data exception" class: a value the database refused (validation should catch these first).
  if (sqlState.startsWith('22')) {
    return new AppError(
      'validation_failed',
      'a value in the request is malformed or out of range',
      { cause: error },
    );
  }
  return new AppError(
    'internal_error',
    'internal error; the request id identifies it in the logs',
    { cause: error },
  );
}

/** The one place errors become responses. Causes are logged (without secrets), never returned. */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const appError = fromUnknown(error);
  const requestId = c.get('requestId') ?? 'unknown';
  if (appError.status >= 500) {
    const cause = rootCause(appError.cause);
    log.error(appError.message, {
      code: appError.code,
      request_id: requestId,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      cause:
        cause instanceof Error
          ? `${cause.name}: ${cause.message.split('\n')[0]?.slice(0, 300)}`
          : undefined,
    });
  }
  return respondError(c, appError);
};

export function respondError(c: Context<AppEnv>, error: AppError): Response {
  const res = c.json(errorBody(error, c.get('requestId') ?? 'unknown'), error.status);
  for (const [k, v] of Object.entries(error.headers ?? {})) res.headers.set(k, v);
  res.headers.set('cache-control', 'no-store');
  return res;
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  respondError(
    c,
    new AppError('route_not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`),
  );
