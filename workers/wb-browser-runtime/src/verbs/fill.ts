import { redactValue } from '../substitution/redactor.ts';
import { requireString, timeoutArg } from './args.ts';
import type { VerbDefinition } from './types.ts';

export const fill: VerbDefinition = {
  name: 'fill',
  primaryKey: 'selector',
  async run(args, { page, redactor }) {
    const selector = requireString(args, 'selector', 'fill');
    const value = String(args.value ?? '');
    await page.fill(selector, value, { timeout: timeoutArg(args, 10_000) });
    // A value that carries a substituted secret is not even partially echoed.
    const shown = redactor.scrub(value) !== value ? '***' : redactValue(args.value);
    return `${selector} = «${shown}»`;
  },
};
