// Argument helpers shared by the verbs.

import { timeoutMs } from '../util/duration.ts';
import type { VerbArgs } from './types.ts';

/** A required non-empty string argument. */
export function requireString(args: VerbArgs, key: string, verb: string): string {
  const value = args[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${verb}: \`${key}\` is required`);
}

/** An optional string argument (numbers and booleans are stringified). */
export function optionalString(args: VerbArgs, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** `timeout` in ms: a number, or a duration string such as `"10s"`; anything else → `fallback`. */
export function timeoutArg(args: VerbArgs, fallback: number): number {
  return timeoutMs(args.timeout, fallback);
}

/** Builds a Playwright page function from source text (its `toString()` is that text verbatim). */
export function pageFunction<T extends (...args: never[]) => unknown>(source: string): T {
  return new Function(`return (${source});`)() as T;
}
