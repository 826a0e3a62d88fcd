import { resolveInside } from '../artifacts/paths.ts';
import { captureDownload } from '../downloads/capture.ts';
import { parseSignedOption } from '../downloads/sources.ts';
import { optionalString, requireString, timeoutArg } from './args.ts';
import { clickWithFallback } from './click.ts';
import { requireArtifactsDir } from './save.ts';
import type { VerbDefinition } from './types.ts';

/** Clicks `selector` and saves the file it produces into the artifacts dir. */
export const download: VerbDefinition = {
  name: 'download',
  primaryKey: 'selector',
  async run(args, ctx) {
    const dir = requireArtifactsDir(ctx.config.artifactsDir, 'download');
    const selector = requireString(args, 'selector', 'download');
    const timeoutMs = timeoutArg(args, 10_000);
    const explicitPath = optionalString(args, 'path') || undefined;
    if (explicitPath) resolveInside(dir, explicitPath, 'download');
    const textFallback = optionalString(args, 'text_fallback');
    const saved = await captureDownload(
      {
        selector,
        timeoutMs,
        explicitPath,
        signed: parseSignedOption(args.signed_url),
        click: () => clickWithFallback(ctx.page, selector, timeoutMs, textFallback),
      },
      {
        page: ctx.page,
        session: ctx.session,
        verbIndex: ctx.index,
        dir,
        config: ctx.config,
        emit: ctx.emit,
      },
    );
    return `→ ${saved.filename}`;
  },
};
