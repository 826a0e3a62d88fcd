import { requireString } from './args.ts';
import { printResult } from './print-result.ts';
import type { VerbDefinition } from './types.ts';

export const evaluate: VerbDefinition = {
  name: 'eval',
  primaryKey: 'script',
  async run(args, ctx) {
    const script = requireString(args, 'script', 'eval');
    const result: unknown = await ctx.page.evaluate(`(async () => { ${script}\n})()`);
    ctx.slice.lastResult = result;
    printResult(ctx, result);
    return 'script ran';
  },
};
