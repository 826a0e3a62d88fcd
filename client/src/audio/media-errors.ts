/** Why a microphone or camera could not start; `code` is stable. */
export type MediaErrorCode =
  | 'not_granted'
  | 'not_controlling'
  | 'unsupported'
  | 'permission_denied'
  /** The browser sees no such device (none connected, or none that fits the constraints). */
  | 'no_device'
  | 'device_failed'
  | 'already_active';

/** Thrown by `start()` of the microphone and camera APIs. */
export class MediaInputError extends Error {
  override readonly name = 'MediaInputError';
  readonly code: MediaErrorCode;

  constructor(code: MediaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Maps a getUserMedia failure to a typed error. */
export function mediaDeviceError(err: unknown, what: string): MediaInputError {
  const name = (err as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return new MediaInputError('permission_denied', `${what} permission was denied`, {
      cause: err,
    });
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return new MediaInputError('no_device', `no ${what.replace(/^the /, '')} was found`, {
      cause: err,
    });
  return new MediaInputError('device_failed', `${what} could not be opened`, { cause: err });
}
