// What a verb failure carries besides its error: a viewport screenshot and the console tail.

import type { Page } from 'playwright-core';
import { writeFileAtomic } from '../artifacts/write.ts';
import type { Logger } from '../protocol/log.ts';

const SCREENSHOT_TIMEOUT_MS = 3_000;

/**
 * Writes `wb-failure-<verbIndex>-<epoch ms>.png` into the artifacts dir and returns its bare file
 * name, or null (no artifacts dir, page gone, capture failed). Never throws.
 */
export async function captureFailureScreenshot(
  page: Page | undefined,
  artifactsDir: string | null,
  verbIndex: number,
  logger: Logger,
): Promise<string | null> {
  if (!page || !artifactsDir || page.isClosed()) return null;
  const name = `wb-failure-${verbIndex}-${Date.now()}.png`;
  try {
    const png = await page.screenshot({ timeout: SCREENSHOT_TIMEOUT_MS });
    await writeFileAtomic(artifactsDir, name, png);
    return name;
  } catch (error) {
    logger.debug('diagnostics', `failure screenshot skipped: ${(error as Error).message}`);
    return null;
  }
}
