// cdp: a browser someone else holds, reached at a CDP endpoint given up front (WB_BROWSER_CDP_URL).
// The BrowserPane workflow worker runs `wb` verb workflows this way: it hands the runtime the CDP
// gateway URL of the run's session (an automation ticket) and keeps the session itself.

import type { RuntimeConfig } from '../../config.ts';
import { CodedError } from '../../failure/codes.ts';
import type { Logger } from '../../protocol/log.ts';
import type { HostDownloads } from './host-downloads.ts';
import type { Allocation, Vendor } from './types.ts';

export function createCdpVendor(
  config: RuntimeConfig['cdp'],
  logger: Logger,
  hostDownloads?: HostDownloads,
): Vendor {
  const fromHost = config.downloadsFromHost ? hostDownloads : undefined;
  return {
    name: 'cdp',
    async allocate() {
      if (!config.url)
        throw new CodedError('INTERNAL_ERROR', 'WB_BROWSER_CDP_URL is not set (vendor cdp)');
      logger.info('session', 'attaching to the given CDP endpoint');
      return { sessionId: config.sessionId ?? 'cdp', cdpUrl: config.url, liveUrl: config.liveUrl };
    },
    async getLiveUrl(allocation: Allocation) {
      return allocation.liveUrl ?? null;
    },
    // A CDP URL may be single-use (a gateway ticket): a resumed slice attaches afresh.
    async reconnect() {
      return null;
    },
    // The browser belongs to whoever gave the endpoint; nothing to give back.
    async release() {},
    // A sandboxed browser's downloads are not on this filesystem: the starter fetches them.
    ...(fromHost ? { fetchDownload: (_: Allocation, file, to) => fromHost.fetch(file, to) } : {}),
  };
}
