/** Stable codes for CDP failures. */
export type CdpErrorCode =
  | 'connect_failed'
  | 'closed'
  | 'timeout'
  | 'protocol_error'
  | 'bad_message';

/** The error the CDP client throws; `cdpCode` carries Chromium's JSON-RPC error code if any. */
export class CdpError extends Error {
  override readonly name = 'CdpError';
  readonly code: CdpErrorCode;
  readonly cdpCode: number | undefined;

  constructor(
    code: CdpErrorCode,
    message: string,
    options?: { cause?: unknown; cdpCode?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.cdpCode = options?.cdpCode;
  }
}
