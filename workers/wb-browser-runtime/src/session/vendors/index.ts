// Vendor registry, selected once at boot by WB_BROWSER_VENDOR.
//
// Adding a vendor: implement `Vendor` (./types.ts) in its own module and add it to the switch.
// The planned fourth vendor, `browserpane`, slots in here:
//   allocate  → create (or reuse) a BrowserPane session through the control API and mint automation
//               access; return { sessionId, cdpUrl: <CDP gateway URL>, connectHeaders: {token},
//               liveUrl: <console join link> }
//   release   → stop the session (or drop automation ownership when it was reused)
//   reconnect → mint fresh automation access for state.sid and return the gateway URL again
//   handOff   → turn pause_for_human into a real hand-off (fields merged into slice.paused)

import type { RuntimeConfig } from '../../config.ts';
import type { Logger } from '../../protocol/log.ts';
import { createBrowserUseVendor } from './browser-use.ts';
import { createBrowserbaseVendor } from './browserbase.ts';
import { createLocalVendor } from './local.ts';
import type { Vendor } from './types.ts';

export function createVendor(config: RuntimeConfig, logger: Logger): Vendor {
  switch (config.vendor) {
    case 'browserbase':
      return createBrowserbaseVendor(config.browserbase, logger);
    case 'browser-use':
      return createBrowserUseVendor(config.browserUse, logger);
    case 'local':
      return createLocalVendor(config.local, logger);
  }
}
