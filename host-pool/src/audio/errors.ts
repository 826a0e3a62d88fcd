/** Stable codes for everything the audio feature can fail with. */
export type AudioErrorCode =
  | 'pulse_unavailable'
  | 'pulse_failed'
  | 'codec_unavailable'
  | 'codec_failed'
  | 'bad_frame';

/** The error audio modules throw; `code` is stable, messages never carry user data. */
export class AudioError extends Error {
  override readonly name = 'AudioError';
  readonly code: AudioErrorCode;

  constructor(code: AudioErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
