/** Stable codes for everything the session sandbox can fail with. */
export type SandboxErrorCode =
  /** A tool or kernel feature the sandbox needs is missing on this host (the message says which). */
  | 'sandbox_unavailable'
  /** A step of setting up or running one session's sandbox failed. */
  | 'sandbox_failed'
  /** Every sandbox user id of this host is in use. */
  | 'no_free_identity';

/** The error sandbox modules throw; `code` is stable, messages never carry user data. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  readonly code: SandboxErrorCode;

  constructor(code: SandboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
