// Saves a Playwright download to `to`. A browser on another machine (or in a sandbox) saved it
// where this runtime cannot read: the vendor may still have it (BrowserPane records every
// download as a session file; the `cdp` vendor may ask its starter). Used by the `download` verb
// and by passive capture.

import type { Download } from 'playwright-core';
import type { Allocation, Vendor } from '../session/vendors/types.ts';

export async function saveDownload(
  download: Download,
  to: string,
  from: { vendor: Vendor; allocation: Allocation; since: number; timeoutMs: number },
): Promise<void> {
  try {
    await download.saveAs(to);
  } catch (error) {
    const got = await from.vendor.fetchDownload?.call(
      from.vendor,
      from.allocation,
      { name: download.suggestedFilename(), since: from.since, timeoutMs: from.timeoutMs },
      to,
    );
    if (!got) throw error;
  }
}
