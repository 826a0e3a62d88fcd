/**
 * A tiny Chrome DevTools Protocol client for the host agent: browser/target connections,
 * flattened sessions, page discovery and window bounds.
 * @module
 */
export { fetchBrowserWebSocketUrl } from './browser-endpoint.ts';
export {
  CdpClient,
  type CdpConnectOptions,
  type CdpListener,
  type CdpParams,
  CdpSession,
} from './cdp-client.ts';
export { CdpError, type CdpErrorCode } from './errors.ts';
export { listPages, PageSessions, type PageTarget } from './page-targets.ts';
export { activateVisiblePage, fitWindowsToDisplay } from './window-bounds.ts';
