import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.BROWSERPANE_CHROMIUM ?? '/usr/bin/chromium';

/** The flags that work on these machines (see the project notes), plus any extra. */
export const BASE_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/**
 * Launches the local user's browser for a test: headless Debian Chromium through playwright-core
 * (which gives it a fresh profile), trusting only the given relay certificate (by SPKI hash).
 */
export async function launchClientBrowser(
  options: { spki?: string; extraArgs?: string[] } = {},
): Promise<Browser & { cleanup(): void }> {
  const args = [...BASE_FLAGS, ...(options.extraArgs ?? [])];
  if (options.spki) args.push(`--ignore-certificate-errors-spki-list=${options.spki}`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
  return Object.assign(browser, { cleanup: () => {} });
}
