/**
 * The edge's wake-up call to a host: right after it places a session there, the edge POSTs to the
 * host's relay at {@link HOST_WAKE_PATH} with `Authorization: Bearer <JWT>`, signed with the
 * ticket key (the host verifies it against the edge's JWKS like a connect ticket), audience
 * {@link HOST_WAKE_AUDIENCE}, `hid` = the host. The host answers by heartbeating at once, so it
 * starts the session without waiting for its next heartbeat. It carries no order: a replayed or
 * lost call only makes one heartbeat early or none.
 */
export const HOST_WAKE_PATH = '/host/wake';
export const HOST_WAKE_AUDIENCE = 'browserpane-host-wake';
/** How long a wake token is valid (the host refuses longer-lived ones). */
export const HOST_WAKE_TTL_SEC = 30;
