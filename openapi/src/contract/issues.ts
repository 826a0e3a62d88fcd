/**
 * Turns zod's issues into the API's validation messages: one line naming the path,
 * `body.viewport.width must be an integer between 320 and 7680`.
 */
import type { z } from 'zod';

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  null: 'null',
};

function pathOf(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += `.${String(part).slice(0, 60)}`;
  }
  return out;
}

/** The value at `path` inside `input` (what the issue is about). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/** A zod error map: the problem part of a message (the path is added by {@link describeIssue}). */
export const errorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${typeName(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    default:
      return undefined;
  }
};

/** The first issue as one line, e.g. `body.labels key "a b" must be …`. */
export function describeIssue(
  root: string,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
): string {
  const issue = issues[0];
  if (!issue) return `${root} is invalid`;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return `${pathOf(root, [...issue.path, key])} is not a known field`;
  }
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0];
    const key = String(inner?.input ?? '').slice(0, 40);
    return `${pathOf(root, issue.path)} key "${key}" ${inner?.message ?? 'is not a valid key'}`;
  }
  if (
    issue.code === 'invalid_type' &&
    valueAt(input, issue.path) === undefined &&
    issue.path.length > 0
  )
    return `${pathOf(root, issue.path)} is required`;
  return `${pathOf(root, issue.path)} ${issue.message}`;
}
