// Passive capture: every browser download of a session (on any of its pages) lands in the artifacts
// dir under its suggested name and is announced with `slice.artifact_saved`.

import type { Download, Page } from 'playwright-core';
import { extensionAllowed, sanitizeName } from '../artifacts/paths.ts';
import type { Emit } from '../protocol/frames.ts';
import type { Logger } from '../protocol/log.ts';
import type { Allocation, Vendor } from '../session/vendors/types.ts';
import type { DownloadHandler } from './router.ts';
import { downloadSavedFrame, saveArtifact } from './save.ts';
import { saveDownload } from './save-download.ts';

export interface VerbActivity {
  verbIndex: number | null;
  verbName: string | null;
}

export interface PassiveCaptureDeps {
  artifactsDir: string;
  extensions: string[] | null;
  emit: Emit;
  logger: Logger;
  activity: () => VerbActivity;
  /** Registers an in-flight capture so the slice can wait for it before it completes. */
  track: (work: Promise<void>) => void;
  /** Where a download saved out of this runtime's reach may still be had (save-download.ts). */
  source: { vendor: Vendor; allocation: Allocation };
}

/** How long a passive capture waits for a download the vendor has to fetch. */
const VENDOR_FETCH_MS = 30_000;

/** A short, frame-safe form of a download URL (data: URLs can be megabytes long). */
export function displayUrl(url: string): string {
  return /^data:/i.test(url) && url.length > 64 ? `${url.slice(0, 64)}…` : url;
}

export function passiveCapture(deps: PassiveCaptureDeps): DownloadHandler {
  return (download, page) => deps.track(capture(download, page, deps));
}

async function capture(download: Download, page: Page, deps: PassiveCaptureDeps): Promise<void> {
  const since = Date.now();
  const suggested = download.suggestedFilename();
  const url = displayUrl(download.url());
  const { verbIndex, verbName } = deps.activity();
  const context = {
    suggested_filename: suggested,
    url,
    page_url: page.isClosed() ? null : page.url(),
    verb_index: verbIndex,
    verb_name: verbName,
    ts: new Date().toISOString(),
  };
  if (!extensionAllowed(suggested, deps.extensions)) {
    await download.cancel().catch(() => {});
    deps.emit({ type: 'slice.download_skipped', reason: 'extension_not_in_allowlist', ...context });
    return;
  }
  try {
    const saved = await saveArtifact(
      deps.artifactsDir,
      sanitizeName(suggested, 'download.bin'),
      'download',
      (tmp) => saveDownload(download, tmp, { ...deps.source, since, timeoutMs: VENDOR_FETCH_MS }),
    );
    deps.logger.info('download', `captured ${saved.filename} (${saved.bytes} bytes)`);
    deps.emit(downloadSavedFrame(saved, context));
  } catch (error) {
    deps.emit({
      type: 'slice.download_failed',
      error: (error as Error).message,
      url,
      suggested_filename: suggested,
    });
  }
}
