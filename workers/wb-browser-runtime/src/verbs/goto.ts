import { requireString, timeoutArg } from './args.ts';
import type { VerbDefinition } from './types.ts';

type WaitUntil = 'load' | 'domcontentloaded' | 'networkidle' | 'commit';

export const goto: VerbDefinition = {
  name: 'goto',
  primaryKey: 'url',
  async run(args, { page }) {
    const url = requireString(args, 'url', 'goto');
    const waitUntil = (
      typeof args.wait_until === 'string' ? args.wait_until : 'domcontentloaded'
    ) as WaitUntil;
    await page.goto(url, { waitUntil, timeout: timeoutArg(args, 30_000) });
    return `→ ${page.url()}`;
  },
};
