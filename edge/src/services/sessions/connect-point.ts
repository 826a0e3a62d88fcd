/** Where clients attach to a session: its host's relay, as the reference's `connect` block says it. */
import type { Session } from '@browserpane/api/contract';

/** The relay URL split into the reference's gateway origin and transport path. */
export function relayTransport(relayUrl: string): { gatewayUrl: string; transportPath: string } {
  const url = new URL(relayUrl);
  return { gatewayUrl: url.origin, transportPath: url.pathname || '/' };
}

/**
 * The `connect` block: the relay of the session's host, or the edge's own origin while the session
 * is not placed (mint a ticket: its answer names the relay).
 */
export function connectPoint(
  sessionId: string,
  relayUrl: string | null,
  origin: string,
): Session['connect'] {
  const at = relayUrl ? relayTransport(relayUrl) : { gatewayUrl: origin, transportPath: '/' };
  return {
    gateway_url: at.gatewayUrl,
    transport_path: at.transportPath,
    auth_type: 'session_connect_ticket',
    ticket_path: `/api/v1/sessions/${sessionId}/access-tokens`,
    compatibility_mode: 'session_runtime_pool',
  };
}
