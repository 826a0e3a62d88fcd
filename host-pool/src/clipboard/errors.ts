/** Stable codes for what the clipboard bridge can fail with. */
export type ClipboardErrorCode =
  /** The session's X display cannot be reached or lacks XFIXES. */
  | 'x_unavailable'
  /** The clipboard owner did not answer, or its transfer broke off. */
  | 'transfer_failed'
  /** The bridge was closed. */
  | 'closed';

/** The error the clipboard bridge throws; `code` is stable. */
export class ClipboardError extends Error {
  override readonly name = 'ClipboardError';
  readonly code: ClipboardErrorCode;

  constructor(code: ClipboardErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
