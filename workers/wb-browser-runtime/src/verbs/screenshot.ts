import { extname } from 'node:path';
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
    // The format the path names: `shot.jpg` is a JPEG, `shot.png` a PNG.
    const ext = extname(path).toLowerCase();
    if (!['.png', '.jpg', '.jpeg'].includes(ext))
      throw new Error(
        `screenshot: path must end in .png, .jpg or .jpeg (got ${JSON.stringify(ext || path)})`,
      );
    const image = await page.screenshot({
      type: ext === '.png' ? 'png' : 'jpeg',
      ...(ext === '.png' ? {} : { quality: 90 }),
      fullPage: args.full_page === true,
      timeout: timeoutArg(args, 30_000),
    });
    await writeFileAtomic(root, target, image);
    return `→ ${path}`;
  },
};
