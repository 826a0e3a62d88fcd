import type { CloseCodeName } from '@browserpane/protocol';

/** The protocol codes a refused or failed transfer is answered with. */
export type TransferCode = Extract<
  CloseCodeName,
  'file_too_large' | 'file_rejected' | 'rate_limited' | 'capability_denied'
>;

/**
 * A refused upload or download: `code` is what the peer gets in `uploadAbort` / `downloadAbort`
 * or a `notice`; `message` is for logs and never contains file contents.
 */
export class TransferError extends Error {
  override readonly name = 'TransferError';
  readonly code: TransferCode;

  constructor(code: TransferCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
