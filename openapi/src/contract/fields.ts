/**
 * Field builders shared by every schema of the contract. Each carries the message a caller sees
 * when a value is wrong (`body.viewport.width must be an integer between 320 and 7680`), so the
 * edge's validation errors read the same on every route.
 */
import { z } from 'zod';

export { z };

export function integer(min: number, max: number) {
  const error = `must be an integer between ${min} and ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

export function number(min: number, max: number) {
  const error = `must be a number between ${min} and ${max}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

/** A non-negative counter. */
export const count = () => z.int().min(0);

export interface TextOptions {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** What the pattern means, for people (`a lowercase UUID`). */
  hint?: string;
}

/** A string without NUL characters, of bounded length, optionally matching a pattern. */
export function text(options: TextOptions = {}) {
  const { min = 0, max = 1024, pattern, hint } = options;
  const length =
    min === max
      ? `must be ${min} characters long`
      : `must be between ${min} and ${max} characters long`;
  let schema = z
    .string()
    .min(min, { error: length })
    .max(max, { error: length })
    .refine((s) => !s.includes('\u0000'), { error: 'must not contain NUL characters' });
  if (pattern)
    schema = schema.regex(pattern, { error: `must be ${hint ?? `a string matching ${pattern}`}` });
  return schema;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A server-generated id: a lowercase UUID. */
export const uuid = () =>
  z
    .string()
    .regex(UUID_PATTERN, { error: 'must be a UUID (lowercase, 8-4-4-4-12 hex digits)' })
    .meta({ format: 'uuid' });

/** An RFC 3339 timestamp as the edge writes it (`2026-01-31T12:00:00.000Z`). */
export const timestamp = () =>
  z
    .string()
    .min(10, { error: 'must be an ISO 8601 date-time (e.g. 2026-01-31T12:00:00Z)' })
    .max(40, { error: 'must be an ISO 8601 date-time (e.g. 2026-01-31T12:00:00Z)' })
    .refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), {
      error: 'must be an ISO 8601 date-time (e.g. 2026-01-31T12:00:00Z)',
    })
    .meta({ format: 'date-time' });

/** A JSON object with any members. */
export const jsonObject = () =>
  z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

/** An absolute URL (http, https, ws, wss). */
export const url = () => z.string().meta({ format: 'uri' });

/** A value the edge takes from a query string: digits become an integer. */
export function queryInteger(min: number, max: number) {
  const error = `must be an integer between ${min} and ${max}`;
  return z.coerce.number({ error }).pipe(integer(min, max));
}
