import { optionalString } from './args.ts';
import type { VerbDefinition } from './types.ts';

/** Checks the page as it is now (no auto-wait): element present, its text, the URL. */
export const assert: VerbDefinition = {
  name: 'assert',
  primaryKey: 'selector',
  async run(args, { page }) {
    const selector = optionalString(args, 'selector');
    const textContains = optionalString(args, 'text_contains');
    const urlContains = optionalString(args, 'url_contains');
    if (!selector && urlContains === undefined) throw new Error('assert: `selector` is required');
    if (selector) {
      const element = await page.$(selector);
      if (!element) throw new Error(`assert: selector not found: ${selector}`);
      try {
        if (textContains !== undefined) {
          const text = (await element.textContent()) ?? '';
          if (!text.includes(textContains)) {
            throw new Error(
              `assert: text "${textContains}" not in ${selector} (got "${text.trim().slice(0, 80)}")`,
            );
          }
        }
      } finally {
        element.dispose().catch(() => {});
      }
    }
    if (urlContains !== undefined && !page.url().includes(urlContains)) {
      throw new Error(`assert: url does not contain "${urlContains}" (got ${page.url()})`);
    }
    return selector ?? `url contains "${urlContains}"`;
  },
};
