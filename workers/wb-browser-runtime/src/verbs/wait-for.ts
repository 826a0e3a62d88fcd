import { requireString, timeoutArg } from './args.ts';
import type { VerbDefinition } from './types.ts';

type State = 'attached' | 'detached' | 'visible' | 'hidden';

export const waitFor: VerbDefinition = {
  name: 'wait_for',
  primaryKey: 'selector',
  async run(args, { page }) {
    const selector = requireString(args, 'selector', 'wait_for');
    const state = (
      typeof args.state === 'string' && args.state !== '' ? args.state : 'visible'
    ) as State;
    await page.waitForSelector(selector, { state, timeout: timeoutArg(args, 15_000) });
    return `${selector} (${state})`;
  },
};
