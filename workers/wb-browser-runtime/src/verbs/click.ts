import type { Page } from 'playwright-core';
import { optionalString, requireString, timeoutArg } from './args.ts';
import type { VerbDefinition } from './types.ts';

/**
 * Clicks `selector`; on a timeout with `text_fallback`, clicks the first element containing that
 * text instead. If the fallback fails too, the original error is thrown. Returns the summary.
 */
export async function clickWithFallback(
  page: Page,
  selector: string,
  timeout: number,
  textFallback: string | undefined,
): Promise<string> {
  try {
    await page.click(selector, { timeout });
    return selector;
  } catch (error) {
    if ((error as Error).name !== 'TimeoutError' || !textFallback) throw error;
    try {
      await page.getByText(textFallback, { exact: false }).first().click({ timeout });
    } catch {
      throw error;
    }
    return `${selector} (via text="${textFallback}")`;
  }
}

export const click: VerbDefinition = {
  name: 'click',
  primaryKey: 'selector',
  async run(args, { page }) {
    const selector = requireString(args, 'selector', 'click');
    return clickWithFallback(
      page,
      selector,
      timeoutArg(args, 10_000),
      optionalString(args, 'text_fallback'),
    );
  },
};
