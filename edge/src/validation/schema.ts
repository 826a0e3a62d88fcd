/**
 * A small, strict validator for request bodies and query strings. Every schema turns `unknown`
 * into a typed value or throws a {@link ValidationError} naming the offending path
 * (`body.viewport.width must be an integer between 320 and 7680`). Objects reject unknown fields.
 * Hand-rolled because ajv compiles validators with `new Function`, which workerd forbids.
 */

export class ValidationError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
    this.name = 'ValidationError';
  }
}

export interface Schema<T> {
  readonly optional: boolean;
  parse(value: unknown, path: string): T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function schema<T>(parse: (value: unknown, path: string) => T, optional = false): Schema<T> {
  return { optional, parse };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function string(
  options: { min?: number; max?: number; pattern?: RegExp; patternHint?: string } = {},
): Schema<string> {
  const { min = 0, max = 1024, pattern, patternHint } = options;
  return schema((value, path) => {
    if (typeof value !== 'string')
      throw new ValidationError(path, `must be a string, not ${typeName(value)}`);
    if (value.length < min || value.length > max) {
      throw new ValidationError(
        path,
        min === max
          ? `must be ${min} characters long`
          : `must be between ${min} and ${max} characters long`,
      );
    }
    if (value.includes('\u0000'))
      throw new ValidationError(path, 'must not contain NUL characters');
    if (pattern && !pattern.test(value)) {
      throw new ValidationError(path, `must be ${patternHint ?? `a string matching ${pattern}`}`);
    }
    return value;
  });
}

export function integer(options: { min: number; max: number }): Schema<number> {
  return schema((value, path) => {
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < options.min ||
      value > options.max
    ) {
      throw new ValidationError(
        path,
        `must be an integer between ${options.min} and ${options.max}`,
      );
    }
    return value;
  });
}

export function number(options: { min: number; max: number }): Schema<number> {
  return schema((value, path) => {
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < options.min ||
      value > options.max
    ) {
      throw new ValidationError(path, `must be a number between ${options.min} and ${options.max}`);
    }
    return value;
  });
}

export function boolean(): Schema<boolean> {
  return schema((value, path) => {
    if (typeof value !== 'boolean')
      throw new ValidationError(path, `must be true or false, not ${typeName(value)}`);
    return value;
  });
}

export function oneOf<const T extends string>(values: readonly T[]): Schema<T> {
  return schema((value, path) => {
    if (typeof value !== 'string' || !values.includes(value as T)) {
      throw new ValidationError(path, `must be one of ${values.map((v) => `"${v}"`).join(', ')}`);
    }
    return value as T;
  });
}

export function array<T>(item: Schema<T>, options: { max: number; min?: number }): Schema<T[]> {
  return schema((value, path) => {
    if (!Array.isArray(value))
      throw new ValidationError(path, `must be an array, not ${typeName(value)}`);
    if (value.length > options.max)
      throw new ValidationError(path, `must have at most ${options.max} items`);
    if (value.length < (options.min ?? 0)) {
      throw new ValidationError(path, `must have at least ${options.min} items`);
    }
    return value.map((v, i) => item.parse(v, `${path}[${i}]`));
  });
}

/** A string-to-string map (labels): bounded key count, key pattern and value length. */
export function stringMap(options: {
  maxEntries: number;
  key: Schema<string>;
  value: Schema<string>;
}): Schema<Record<string, string>> {
  return schema((value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ValidationError(path, `must be an object, not ${typeName(value)}`);
    }
    const entries = Object.entries(value);
    if (entries.length > options.maxEntries) {
      throw new ValidationError(path, `must have at most ${options.maxEntries} entries`);
    }
    const out: Record<string, string> = {};
    for (const [k, v] of entries) {
      options.key.parse(k, `${path} key "${k.slice(0, 40)}"`);
      out[k] = options.value.parse(v, `${path}.${k}`);
    }
    return out;
  });
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K]['optional'] extends true ? K : never;
}[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>;
};

/** A JSON object with exactly these fields; unknown fields are rejected. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return schema((value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ValidationError(path, `must be an object, not ${typeName(value)}`);
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!Object.hasOwn(shape, key)) {
        throw new ValidationError(`${path}.${key.slice(0, 60)}`, 'is not a known field');
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const v = record[key];
      if (v === undefined) {
        if (!field.optional) throw new ValidationError(`${path}.${key}`, 'is required');
        continue;
      }
      out[key] = field.parse(v, `${path}.${key}`);
    }
    return out as ObjectOf<S>;
  });
}

/** Marks a field as optional (absent is fine; `null` is not, unless the inner schema allows it). */
export function optional<T>(inner: Schema<T>): Schema<T | undefined> & { readonly optional: true } {
  return {
    optional: true,
    parse: (value, path) => (value === undefined ? undefined : inner.parse(value, path)),
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return schema(
    (value, path) => (value === null ? null : inner.parse(value, path)),
    inner.optional,
  );
}
