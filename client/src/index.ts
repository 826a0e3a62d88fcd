/**
 * BrowserPane browser SDK: `BrowserPaneClient.connect({ container, relayUrl, sessionId, ticket })`
 * shows a live, drivable BrowserPane session in any element.
 * @module
 */
export {
  BrowserPaneClient,
  type BrowserPaneClientOptions,
  type ClientEvent,
  type Participant,
} from './client.ts';
export { ConnectError } from './protocol-connection.ts';
export type { ClientStats } from './stats.ts';
