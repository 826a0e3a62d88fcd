import { resolveInside } from '../artifacts/paths.ts';
import { writeFileAtomic } from '../artifacts/write.ts';
import { optionalString, requireString } from './args.ts';
import { requireArtifactsDir } from './save.ts';
import type { VerbDefinition } from './types.ts';

/** Labels an artifact for wb: writes `<path>.meta.json` = `{label[, description]}`. */
export const announceArtifact: VerbDefinition = {
  name: 'announce_artifact',
  primaryKey: 'path',
  async run(args, ctx) {
    const dir = requireArtifactsDir(ctx.config.artifactsDir, 'announce_artifact');
    const path = requireString(args, 'path', 'announce_artifact');
    const label = requireString(args, 'label', 'announce_artifact');
    const description = optionalString(args, 'description');
    const target = resolveInside(dir, path, 'announce_artifact');
    const meta = description === undefined ? { label } : { label, description };
    await writeFileAtomic(dir, `${target}.meta.json`, JSON.stringify(meta, null, 2));
    return `→ ${path} (labelled)`;
  },
};
