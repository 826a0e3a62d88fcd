/** A CLI command: where it sits (`run start`), what it takes, how it helps, what it does. */
import type { Options } from './args.ts';
import type { Context } from './context.ts';

export interface Command {
  path: readonly string[];
  /** The positional arguments, as shown in usage (`<run-id>`). */
  positionals?: readonly string[];
  summary: string;
  /** More lines for `--help`. */
  details?: string;
  options?: Options;
  /** The exit code (0 when nothing is returned). */
  run(ctx: Context): Promise<number | undefined>;
}

export const GLOBAL_OPTIONS: Options = {
  'api-url': {
    kind: 'value',
    meta: 'url',
    help: 'the edge (else BROWSERPANE_API_URL, else the saved login)',
  },
  token: {
    kind: 'value',
    meta: 'token',
    help: 'bearer token (else BROWSERPANE_TOKEN, else the saved login)',
  },
  json: { kind: 'flag', help: 'print JSON (the API resources as they are)' },
  help: { kind: 'flag', help: 'show help' },
};

/** Exactly `n` positionals named as in the command's usage. */
export function positionals(ctx: Context, command: Command): string[] {
  return ctx.args.positionals.slice(command.path.length);
}

/** Left-aligned columns. */
export function table(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const widths = (rows[0] as readonly string[]).map((_, i) =>
    Math.max(...rows.map((r) => (r[i] ?? '').length)),
  );
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const when = (iso: string | null | undefined) =>
  iso ? iso.replace('T', ' ').slice(0, 19) : '—';
