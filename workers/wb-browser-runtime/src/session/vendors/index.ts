// Vendor registry, selected once at boot by WB_BROWSER_VENDOR.
//
// Adding a vendor: implement `Vendor` (./types.ts) in its own module and add it to the switch.

import type { RuntimeConfig } from '../../config.ts';
import type { Logger } from '../../protocol/log.ts';
import { createBrowserUseVendor } from './browser-use.ts';
import { createBrowserbaseVendor } from './browserbase.ts';
import { createBrowserPaneVendor } from './browserpane.ts';
import { createCdpVendor } from './cdp.ts';
import type { HostDownloads } from './host-downloads.ts';
import { createLocalVendor } from './local.ts';
import type { Vendor } from './types.ts';

export function createVendor(
  config: RuntimeConfig,
  logger: Logger,
  hostDownloads?: HostDownloads,
): Vendor {
  switch (config.vendor) {
    case 'browserbase':
      return createBrowserbaseVendor(config.browserbase, logger);
    case 'browser-use':
      return createBrowserUseVendor(config.browserUse, logger);
    case 'local':
      return createLocalVendor(config.local, logger);
    case 'browserpane':
      return createBrowserPaneVendor(config.browserpane, logger);
    case 'cdp':
      return createCdpVendor(config.cdp, logger, hostDownloads);
  }
}
