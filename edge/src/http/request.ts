import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { DRAIN_LIMIT } from './body-limits.ts';

export const DEFAULT_BODY_LIMIT = 64 * 1024;

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
 * Reads and bounds a JSON body: `undefined` when it is empty, else the parsed value (validation
 * against the route's schema follows in {@link implement}).
 */
export async function readJson(c: Context<AppEnv>, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const text = await readText(c, limit);
  if (text.trim() === '') return undefined;
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new AppError(
      'unsupported_media_type',
      'the request body must be JSON (content-type: application/json)',
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError(
      'invalid_json',
      `the request body is not valid JSON: ${(error as Error).message.slice(0, 120)}`,
    );
  }
}

/** Query parameters, each given at most once. */
export function queryParams(c: Context<AppEnv>): Record<string, string> {
  const url = new URL(c.req.url);
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key in out)
      throw new AppError(
        'validation_failed',
        `query parameter "${key.slice(0, 60)}" is given more than once`,
      );
    out[key] = value;
  }
  return out;
}
