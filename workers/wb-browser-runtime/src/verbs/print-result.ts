import type { VerbContext } from './types.ts';

/**
 * eval/extract print their result to stdout as pretty JSON (wb shows non-frame lines as the block's
 * output). Substituted secrets are scrubbed from it like from every frame.
 */
export function printResult(ctx: VerbContext, value: unknown): void {
  const scrubbed = ctx.redactor.scrubDeep(value, { numbers: true });
  const text = scrubbed === undefined ? undefined : JSON.stringify(scrubbed, null, 2);
  ctx.output.text(text ?? 'undefined');
}
