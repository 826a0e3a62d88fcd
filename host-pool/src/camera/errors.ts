/** Stable codes for everything the camera feature can fail with. */
export type CameraErrorCode = 'bad_config' | 'decoder_unavailable' | 'sink_failed';

/** The error camera modules throw; `code` is stable, messages never carry user data. */
export class CameraError extends Error {
  override readonly name = 'CameraError';
  readonly code: CameraErrorCode;

  constructor(code: CameraErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
