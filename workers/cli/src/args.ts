/**
 * Command-line arguments: positionals and `--name value` / `--name=value` options, `--flag`
 * booleans, repeatable options. Unknown options and missing values are usage errors.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.ts';

export interface OptionSpec {
  /** `flag`: no value; `value`: one (last wins); `list`: repeatable. */
  kind: 'flag' | 'value' | 'list';
  help: string;
  /** Shown in help as the value's name. */
  meta?: string;
}

export type Options = Record<string, OptionSpec>;

export interface Parsed {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string>;
  lists: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], spec: Options): Parsed {
  const out: Parsed = { positionals: [], flags: new Set(), values: new Map(), lists: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const option = spec[name];
    if (!option) throw new UsageError(`unknown option --${name}`);
    if (option.kind === 'flag') {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2))
        throw new UsageError(`--${name} needs a value (${option.meta ?? 'value'})`);
      i++;
    }
    if (option.kind === 'value') out.values.set(name, value);
    else out.lists.set(name, [...(out.lists.get(name) ?? []), value]);
  }
  return out;
}

/** A JSON argument: inline JSON, `@file` (JSON in a file) or `-` (JSON on stdin). */
export function jsonArg(name: string, raw: string): unknown {
  let text = raw;
  try {
    if (raw === '-') text = readFileSync(0, 'utf8');
    else if (raw.startsWith('@')) text = readFileSync(raw.slice(1), 'utf8');
  } catch (error) {
    throw new UsageError(`--${name}: cannot read ${raw}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--${name} is not valid JSON: ${(error as Error).message}`);
  }
}

export function intArg(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer between ${min} and ${max}`);
  return n;
}

/** `key=value` pairs (labels). */
export function pairsArg(name: string, raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${name} must be key=value (got ${JSON.stringify(pair)})`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
