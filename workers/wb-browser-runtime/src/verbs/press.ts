import { optionalString, requireString, timeoutArg } from './args.ts';
import type { VerbDefinition } from './types.ts';

export const press: VerbDefinition = {
  name: 'press',
  primaryKey: 'key',
  async run(args, { page }) {
    const key = requireString(args, 'key', 'press');
    const selector = optionalString(args, 'selector') || 'body';
    await page.press(selector, key, { timeout: timeoutArg(args, 5_000) });
    return `${selector} ⌨ ${key}`;
  },
};
