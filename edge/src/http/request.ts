import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';

export const DEFAULT_BODY_LIMIT = 64 * 1024;
/**
 * A body declared too large is still read (and thrown away) up to this size before the 413 goes
 * out: answering while the client is still sending makes the runtime reset the connection, and the
 * client then sees a network error instead of the clear answer. Larger bodies are cut at once.
 */
const DRAIN_LIMIT = 4 * 1024 * 1024;

async function discard(
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

async function readText(c: Context<AppEnv>, limit: number): Promise<string> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limit) {
    const body = c.req.raw.body;
    if (body && Number(declared) <= DRAIN_LIMIT) await discard(body.getReader()).catch(() => {});
    throw new AppError('payload_too_large', `the request body must be at most ${limit} bytes`);
  }
  const body = c.req.raw.body;
  if (!body) return '';
  if (declared !== undefined && /^\d+$/.test(declared))
    return decode(new Uint8Array(await c.req.raw.arrayBuffer()));
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
      throw new AppError('payload_too_large', `the request body must be at most ${limit} bytes`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decode(all);
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
