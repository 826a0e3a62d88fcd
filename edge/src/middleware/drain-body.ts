import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';
import { DRAIN_LIMIT } from '../http/body-limits.ts';
import { discard } from '../http/request.ts';

/**
 * Reads (and throws away) whatever the request body still holds before the answer goes out, up to
 * `DRAIN_LIMIT`: a route that answers without reading the body (a 401 before the body, a 413 by
 * declared length, a 404) would otherwise leave bytes unread, the runtime closes such a connection
 * with a reset, and the client sees a network error instead of the answer. Bodies declared larger
 * than the limit are not read at all.
 */
export const drainRequestBody = createMiddleware<AppEnv>(async function drainRequestBody(c, next) {
  await next();
  const request = c.req.raw;
  const body = request.body;
  if (!body || body.locked || request.bodyUsed) return;
  // Declared larger than the limit: left unread (the connection is closed after the answer).
  if (Number(c.req.header('content-length') ?? 0) > DRAIN_LIMIT) return;
  await discard(body.getReader()).catch(() => {});
});
