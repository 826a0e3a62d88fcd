/** The wire client's errors: the public `PgWireError`, server ErrorResponses, refused pipelining. */
import { decoder } from './bytes.ts';

export class PgWireError extends Error {
  override name = 'PgWireError';
  constructor(
    message: string,
    /** SQLSTATE (server errors) or CONNECTION_CLOSED / CONNECTION_FAILED / CONNECT_TIMEOUT / PROTOCOL. */
    readonly code: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** A pipelined attempt the server refused before running anything (it wants a password, …). */
export class StartupRejected extends Error {}

/** ErrorResponse / NoticeResponse fields → a PgWireError (message, SQLSTATE, detail). */
export function serverError(body: Uint8Array): PgWireError {
  const fields: Record<string, string> = {};
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const key = String.fromCharCode(body[at] as number);
    const end = body.indexOf(0, at + 1);
    if (end < 0) break;
    fields[key] = decoder.decode(body.subarray(at + 1, end));
    at = end + 1;
  }
  return new PgWireError(fields.M ?? 'database error', fields.C ?? 'XX000', fields.D);
}
