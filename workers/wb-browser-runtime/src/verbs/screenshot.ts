import { resolveInside } from '../artifacts/paths.ts';
import { writeFileAtomic } from '../artifacts/write.ts';
import { optionalString, timeoutArg } from './args.ts';
import type { VerbDefinition } from './types.ts';

export const screenshot: VerbDefinition = {
  name: 'screenshot',
  primaryKey: 'path',
  async run(args, { page, config }) {
    const path = optionalString(args, 'path') || `screenshot-${Date.now()}.png`;
    const root = config.artifactsDir ?? process.cwd();
    const target = resolveInside(root, path, 'screenshot');
    const png = await page.screenshot({
      fullPage: args.full_page === true,
      timeout: timeoutArg(args, 30_000),
    });
    await writeFileAtomic(root, target, png);
    return `→ ${path}`;
  },
};
