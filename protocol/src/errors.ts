import { CLOSE_CODES } from './close-codes.ts';

/** Stable codes for every way a frame or message can be malformed. */
export type ProtocolErrorCode =
  | 'frame_too_large'
  | 'unknown_channel'
  | 'unknown_tag'
  | 'truncated'
  | 'trailing_bytes'
  | 'bad_utf8'
  | 'out_of_range'
  | 'empty_payload'
  | 'wrong_direction'
  | 'invalid_value'
  | 'decoder_failed';

/**
 * The only error the protocol package throws for bad bytes or bad values. `code` is stable,
 * `closeCode` is what the peer closes the connection with, `path` names the field (`tileFill.col`).
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  readonly closeCode: number;
  readonly path: string | undefined;

  constructor(code: ProtocolErrorCode, message: string, path?: string) {
    super(path ? `${path}: ${message}` : message);
    this.code = code;
    this.closeCode = CLOSE_CODES[code];
    this.path = path;
  }
}

export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError;
}
