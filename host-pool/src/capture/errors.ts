/** Stable codes for everything capture and the X connection can fail with. */
export type CaptureErrorCode =
  | 'x_connect_failed'
  | 'x_closed'
  | 'x_request_failed'
  | 'x_extension_missing'
  | 'resize_failed'
  | 'source_closed';

/** The error capture, X helpers and display resizing throw; `code` is stable. */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  readonly code: CaptureErrorCode;

  constructor(code: CaptureErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
