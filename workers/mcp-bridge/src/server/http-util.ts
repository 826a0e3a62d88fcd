import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BridgeError } from '../errors.ts';

/** Sends `{ error: { code, message } }` with the error's status. */
export function sendError(res: ServerResponse, error: BridgeError): void {
  sendJson(res, error.status, { error: { code: error.code, message: error.message } });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Reads a JSON object body of at most `limit` bytes. Throws `bad_request`. */
export async function readJsonObject(
  req: IncomingMessage,
  limit = 64 * 1024,
): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new BridgeError('bad_request', `the body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BridgeError('bad_request', 'the body must be a JSON object');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new BridgeError('bad_request', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** The bearer token of a request, if any. */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1] ?? null;
}

/** Constant-time string comparison. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const CORS_HEADERS =
  'authorization, content-type, mcp-session-id, mcp-protocol-version, last-event-id';

/**
 * Cross-origin policy: requests without an Origin (MCP clients, scripts) pass; a browser page may
 * call only from an allowed origin (the console). Answers preflights. Returns false when the
 * request was refused or fully answered.
 */
export function applyCors(
  req: IncomingMessage,
  res: ServerResponse,
  allowedOrigins: readonly string[],
): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (!allowedOrigins.includes(origin)) {
    sendError(res, new BridgeError('forbidden', `origin ${origin} may not call this bridge`));
    return false;
  }
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', 'mcp-session-id');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
      'access-control-allow-headers': CORS_HEADERS,
      'access-control-max-age': '600',
    });
    res.end();
    return false;
  }
  return true;
}
