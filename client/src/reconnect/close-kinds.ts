import { CLOSE_CODES } from '@browserpane/protocol';

/**
 * Close codes after which reconnecting would be wrong: someone ended the session or this
 * connection on purpose (stop, kill, idle stop, the owner or operator disconnected it, a revoked
 * grant), or this client can never be admitted (role, version). Minting a new ticket would even
 * restart a stopped session, so these end the live view until the person acts.
 *
 * Everything else is a drop to recover from: the transport went away (code 0 or 1006), the host
 * agent shut down or restarted (`server_shutdown`, `session_unavailable`, `runtime_restarting`),
 * the client fell behind (`slow_consumer`), a ticket went stale (a new one is fetched each attempt).
 */
const FINAL: ReadonlySet<number> = new Set([
  CLOSE_CODES.session_stopped,
  CLOSE_CODES.session_killed,
  CLOSE_CODES.disconnected_by_operator,
  CLOSE_CODES.idle_timeout,
  CLOSE_CODES.grant_revoked,
  CLOSE_CODES.role_not_permitted,
  CLOSE_CODES.unsupported_version,
]);

export function isFinalClose(code: number): boolean {
  return FINAL.has(code);
}
