import { randomBytes } from 'node:crypto';
import { sanitizeName } from '../artifacts/paths.ts';
import { writeFileAtomic } from '../artifacts/write.ts';
import type { VerbDefinition } from './types.ts';

export function requireArtifactsDir(dir: string | null, verb: string): string {
  if (dir) return dir;
  throw new Error(
    `${verb}: $WB_ARTIFACTS_DIR is not set — run this workbook via \`wb run\` (or set WB_ARTIFACTS_DIR)`,
  );
}

/** Writes `value` (or the slice's last eval/extract result) to `<name>.json` in the artifacts dir. */
export const save: VerbDefinition = {
  name: 'save',
  primaryKey: 'name',
  async run(args, ctx) {
    const dir = requireArtifactsDir(ctx.config.artifactsDir, 'save');
    let payload: unknown;
    if (Object.hasOwn(args, 'value')) payload = args.value;
    else if (ctx.slice.lastResult !== undefined) payload = ctx.slice.lastResult;
    else throw new Error('save: no value provided and no prior extract/eval result to capture');
    const auto = `cell-${ctx.slice.blockIndex ?? ctx.index}-${randomBytes(4).toString('hex')}`;
    const name =
      typeof args.name === 'string' && args.name.trim() !== ''
        ? sanitizeName(args.name.trim(), auto)
        : auto;
    const filename = name.endsWith('.json') ? name : `${name}.json`;
    const json = JSON.stringify(payload, null, 2) ?? 'null';
    const path = await writeFileAtomic(dir, filename, json);
    ctx.emit({ type: 'slice.artifact_saved', filename, path, bytes: Buffer.byteLength(json) });
    return `→ ${filename}`;
  },
};
