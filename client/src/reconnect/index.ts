export { type BackoffPolicy, backoffDelay, backoffPolicy, DEFAULT_BACKOFF } from './backoff.ts';
export { isFinalClose } from './close-kinds.ts';
export {
  ReconnectingClient,
  type ReconnectingClientOptions,
  type ReconnectingEvent,
  type RelayTicket,
} from './reconnecting-client.ts';
export { type ConnectionState, FinalConnectError, Reconnector } from './reconnector.ts';
