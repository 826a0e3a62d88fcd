/**
 * Checks JSON against a JSON Schema (draft 2020-12) without code generation (workerd forbids it):
 * @cfworker/json-schema interprets the schema.
 */
import { Validator } from '@cfworker/json-schema';
import { AppError } from '../../errors.ts';

/** Whether `schema` is usable as a JSON Schema at all (an object or a boolean). */
export function checkSchema(schema: unknown, field: string): void {
  if (schema === undefined || schema === null || typeof schema === 'boolean') return;
  if (typeof schema !== 'object' || Array.isArray(schema))
    throw new AppError('validation_failed', `body.${field} must be a JSON Schema (an object)`);
  try {
    new Validator(schema as Record<string, unknown>, '2020-12', false);
  } catch (error) {
    throw new AppError(
      'validation_failed',
      `body.${field} is not a usable JSON Schema: ${(error as Error).message}`,
    );
  }
}

/** Throws `input_invalid` naming the first problems when `value` does not satisfy `schema`. */
export function validateAgainst(schema: unknown, value: unknown, what: string): void {
  if (schema === undefined || schema === null || schema === true) return;
  if (schema === false) throw new AppError('input_invalid', `${what} is refused by its schema`);
  const result = new Validator(schema as Record<string, unknown>, '2020-12', false).validate(
    value === undefined ? null : value,
  );
  if (result.valid) return;
  const problems = result.errors
    .filter(
      (e) =>
        !/^(properties|allOf|anyOf|items|\$ref)$/.test(e.keyword) || result.errors.length === 1,
    )
    .slice(0, 3)
    .map((e) => `${e.instanceLocation.replace(/^#/, '') || '/'}: ${e.error}`);
  throw new AppError(
    'input_invalid',
    `${what} does not match its schema (${problems.join('; ')})`,
    {
      details: {
        problems: result.errors
          .slice(0, 10)
          .map((e) => ({ at: e.instanceLocation, error: e.error })),
      },
    },
  );
}
