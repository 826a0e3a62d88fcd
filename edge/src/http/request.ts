import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { UUID_PATTERN } from '../services/crypto.ts';
import { type Schema, ValidationError } from '../validation/schema.ts';

export const DEFAULT_BODY_LIMIT = 64 * 1024;
/**
 * A request body nobody reads is still read (and thrown away) up to this size before the answer
 * goes out (`drainRequestBody`, and here when a body is too large): answering while the client is
 * still sending makes the runtime close the connection with unread bytes in it, which resets it,
 * and the client then sees a network error instead of the answer (a 413, a 401 …). Larger bodies
 * are cut at once (Cloudflare itself refuses bodies over 100 MB on most plans).
 */
export const DRAIN_LIMIT = 100 * 1024 * 1024;

/** Reads and discards the rest of a body, up to {@link DRAIN_LIMIT} bytes in all. */
export async function discard(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  alreadyRead = 0,
): Promise<void> {
  let size = alreadyRead;
  while (size <= DRAIN_LIMIT) {
    const { done, value } = await reader.read();
    if (done) return;
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
}

function tooLarge(limit: number): AppError {
  return new AppError('payload_too_large', `the request body must be at most ${limit} bytes`);
}

/**
 * The request body, at most `limit` bytes; `payload_too_large` (413) otherwise. A declared length
 * over the limit is refused before reading (the body is drained by `drainRequestBody`); a body
 * without a usable length is read until it proves too large, then drained here.
 */
export async function readBodyBytes(c: Context<AppEnv>, limit: number): Promise<Uint8Array> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const body = c.req.raw.body;
  if (!body) return new Uint8Array(0);
  if (declared !== undefined && /^\d+$/.test(declared))
    return new Uint8Array(await c.req.raw.arrayBuffer());
  // No (usable) length: read the stream and stop as soon as it is too large.
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await discard(reader, size).catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

async function readText(c: Context<AppEnv>, limit: number): Promise<string> {
  return decode(await readBodyBytes(c, limit));
}

function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new AppError('invalid_json', 'the request body is not valid UTF-8');
  }
}

/**
 * Reads, bounds, parses and validates a JSON body. `optional`: an empty body is `undefined`
 * (routes whose body has only optional fields).
 */
export async function jsonBody<T>(
  c: Context<AppEnv>,
  schema: Schema<T>,
  options: { limit?: number; optional?: boolean } = {},
): Promise<T> {
  const text = await readText(c, options.limit ?? DEFAULT_BODY_LIMIT);
  if (text.trim() === '') {
    if (options.optional) return schema.parse(undefined, 'body');
    throw new AppError('validation_failed', 'this route needs a JSON request body');
  }
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new AppError(
      'unsupported_media_type',
      'the request body must be JSON (content-type: application/json)',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError(
      'invalid_json',
      `the request body is not valid JSON: ${(error as Error).message.slice(0, 120)}`,
    );
  }
  return validate(schema, value, 'body');
}

export function validate<T>(schema: Schema<T>, value: unknown, path: string): T {
  try {
    return schema.parse(value, path);
  } catch (error) {
    if (error instanceof ValidationError)
      throw new AppError('validation_failed', error.message, { cause: error });
    throw error;
  }
}

/** A path parameter that must be a UUID. */
export function uuidParam(c: Context<AppEnv>, name: string): string {
  const value = c.req.param(name) ?? '';
  if (!UUID_PATTERN.test(value)) {
    throw new AppError(
      'invalid_id',
      `path parameter ${name} must be a UUID (lowercase, 8-4-4-4-12 hex digits)`,
    );
  }
  return value;
}

/** Query parameters, checked against an allow-list (unknown parameters are an error). */
export function queryParams(
  c: Context<AppEnv>,
  allowed: readonly string[],
): Record<string, string> {
  const url = new URL(c.req.url);
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (!allowed.includes(key)) {
      throw new AppError(
        'validation_failed',
        `query parameter "${key.slice(0, 60)}" is not supported here`,
      );
    }
    if (key in out)
      throw new AppError('validation_failed', `query parameter "${key}" is given more than once`);
    out[key] = value;
  }
  return out;
}
