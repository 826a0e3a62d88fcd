/** Stable codes for everything a session runtime can fail with. */
export type RuntimeErrorCode =
  | 'invalid_options'
  | 'invalid_state'
  | 'no_capacity'
  | 'xvfb_failed'
  | 'no_free_display'
  | 'chromium_failed'
  | 'chromium_not_found'
  | 'cdp_unavailable'
  | 'restart_limit'
  | 'resize_failed';

/** The error session runtimes and slot limiters throw; `code` is stable. */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  readonly code: RuntimeErrorCode;

  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
