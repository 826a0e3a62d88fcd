import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';
import { randomToken } from '../services/crypto.ts';

const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Gives every request an id (the caller's `x-request-id` when sane), echoed in the response. */
export const requestId = createMiddleware<AppEnv>(async function requestId(c, next) {
  const given = c.req.header('x-request-id');
  const id = given && SAFE_ID.test(given) ? given : `req_${randomToken(12)}`;
  c.set('requestId', id);
  c.header('x-request-id', id);
  await next();
});
