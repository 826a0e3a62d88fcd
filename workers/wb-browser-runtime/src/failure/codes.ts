// Error codes on verb.failed / slice.failed, and the error type that carries one.

export const ERROR_CODES = [
  'NAV_TIMEOUT',
  'SELECTOR_NOT_FOUND',
  'SCRIPT_ERROR',
  'INTERNAL_ERROR',
  'SLICE_TIMEOUT',
  'AUTH_FAILED',
  'SESSION_ALLOCATE_FAILED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error with a protocol code attached; `classifyError` reports it as is. */
export class CodedError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const NAV_MESSAGE = /load\s*state|networkidle|navigation|wait\s+for\s+url/i;

/**
 * Maps an error to a protocol code: an explicit `code` wins; Playwright timeouts are navigation
 * timeouts for `goto` (or navigation-flavoured messages) and missing selectors otherwise; any other
 * error in `eval`/`extract` is a script error; the rest is internal.
 */
export function classifyError(error: unknown, verbName: string): string {
  const err = error as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (err && typeof err.code === 'string' && err.code !== '') return err.code;
  if (err?.name === 'TimeoutError') {
    if (verbName === 'goto') return 'NAV_TIMEOUT';
    return NAV_MESSAGE.test(String(err.message ?? '')) ? 'NAV_TIMEOUT' : 'SELECTOR_NOT_FOUND';
  }
  if (verbName === 'eval' || verbName === 'extract') return 'SCRIPT_ERROR';
  return 'INTERNAL_ERROR';
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** An error's message, without the terminal colour codes Playwright puts in its call logs. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(ANSI, '');
}
