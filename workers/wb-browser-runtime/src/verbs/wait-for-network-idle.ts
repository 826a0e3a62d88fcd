import { parseDuration } from '../util/duration.ts';
import type { VerbDefinition } from './types.ts';

const DEFAULT_MS = 30_000;

export const waitForNetworkIdle: VerbDefinition = {
  name: 'wait_for_network_idle',
  primaryKey: 'timeout',
  async run(args, { page }) {
    const raw = args.timeout;
    const timeout = raw === null || raw === '' ? DEFAULT_MS : (parseDuration(raw) ?? DEFAULT_MS);
    await page.waitForLoadState('networkidle', { timeout });
    const shown = typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : `${timeout}ms`;
    return `network idle (timeout=${shown})`;
  },
};
