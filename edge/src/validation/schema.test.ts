import { describe, expect, it } from 'vitest';
import {
  array,
  boolean,
  integer,
  object,
  oneOf,
  optional,
  string,
  stringMap,
  ValidationError,
} from './schema.ts';

const viewport = object({
  width: integer({ min: 320, max: 7680 }),
  height: integer({ min: 200, max: 4320 }),
});
const body = object({
  name: string({ min: 1, max: 10 }),
  viewport: optional(viewport),
  on: optional(boolean()),
  mode: optional(oneOf(['a', 'b'] as const)),
  tags: optional(array(string({ max: 5 }), { max: 2 })),
  labels: optional(
    stringMap({
      maxEntries: 2,
      key: string({ min: 1, max: 8, pattern: /^[a-z]+$/ }),
      value: string({ max: 4 }),
    }),
  ),
});

function problem(value: unknown): string {
  try {
    body.parse(value, 'body');
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  return 'ok';
}

describe('request schemas', () => {
  it('accepts a valid value and drops nothing', () => {
    expect(
      body.parse({ name: 'x', viewport: { width: 800, height: 600 }, mode: 'b' }, 'body'),
    ).toEqual({
      name: 'x',
      viewport: { width: 800, height: 600 },
      mode: 'b',
    });
  });

  it.each([
    [null, 'body must be an object, not null'],
    [[], 'body must be an object, not an array'],
    [{}, 'body.name is required'],
    [{ name: 'x', extra: 1 }, 'body.extra is not a known field'],
    [{ name: 5 }, 'body.name must be a string, not a number'],
    [{ name: '' }, 'body.name must be between 1 and 10 characters long'],
    [
      { name: 'x', viewport: { width: 1.5, height: 600 } },
      'body.viewport.width must be an integer between 320 and 7680',
    ],
    [{ name: 'x', viewport: { width: 800 } }, 'body.viewport.height is required'],
    [{ name: 'x', on: 'yes' }, 'body.on must be true or false, not a string'],
    [{ name: 'x', mode: 'c' }, 'body.mode must be one of "a", "b"'],
    [{ name: 'x', tags: ['a', 'b', 'c'] }, 'body.tags must have at most 2 items'],
    [{ name: 'x', tags: [1] }, 'body.tags[0] must be a string, not a number'],
    [{ name: 'x', labels: { A: 'v' } }, 'body.labels key "A" must be a string matching /^[a-z]+$/'],
    [
      { name: 'x', labels: { a: 'toolong' } },
      'body.labels.a must be between 0 and 4 characters long',
    ],
  ])('rejects %j with a message naming the path', (value, message) => {
    expect(problem(value)).toBe(message);
  });
});
