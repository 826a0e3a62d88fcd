import { Hono } from 'hono';
import { config } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { jsonBody, queryParams, uuidParam, validate } from '../http/request.ts';
import { requireUser } from '../middleware/auth.ts';
import { markLostHosts } from '../services/scheduler.ts';
import {
  createSession,
  listSessions,
  loadSession,
  resourceOf,
  safeStop,
  sessionStatus,
  stopSession,
} from '../services/sessions.ts';
import { createSessionBody, listSessionsQuery } from './schemas.ts';

/** Where the request came from, when the platform knows (Cloudflare's request.cf). */
function requestOrigin(raw: Request): { latitude: number | null; longitude: number | null } {
  const cf = (raw as { cf?: { latitude?: unknown; longitude?: unknown } }).cf;
  const lat = Number(cf?.latitude);
  const lon = Number(cf?.longitude);
  const valid =
    cf?.latitude !== undefined &&
    cf?.longitude !== undefined &&
    Number.isFinite(lat) &&
    Number.isFinite(lon);
  return valid ? { latitude: lat, longitude: lon } : { latitude: null, longitude: null };
}

/** Session resources: create, list, read, safe stop (DELETE and /stop), kill, status. */
export const sessionRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .post('/', async (c) => {
    const input = (await jsonBody(c, createSessionBody, { optional: true })) ?? {};
    const db = c.var.db();
    const row = await createSession(
      db,
      c.var.principal,
      input,
      requestOrigin(c.req.raw),
      new Date(),
      config(c.env),
    );
    return c.json(await resourceOf(db, row), 201, { location: `/api/v1/sessions/${row.id}` });
  })
  .get('/', async (c) => {
    const raw = queryParams(c, ['limit', 'cursor', 'state']);
    const query = validate(
      listSessionsQuery,
      { ...raw, ...(raw.limit !== undefined ? { limit: Number(raw.limit) } : {}) },
      'query',
    );
    const db = c.var.db();
    await markLostHosts(db, new Date(), config(c.env));
    const page = await listSessions(db, c.var.principal, {
      limit: query.limit ?? 50,
      cursor: query.cursor,
      state: query.state,
    });
    const items = await Promise.all(page.rows.map((row) => resourceOf(db, row)));
    return c.json({ sessions: items, next_cursor: page.nextCursor });
  })
  .get('/:session_id', async (c) => {
    const id = uuidParam(c, 'session_id');
    const db = c.var.db();
    await markLostHosts(db, new Date(), config(c.env));
    return c.json(await resourceOf(db, await loadSession(db, id, c.var.principal, 'delegate')));
  })
  .delete('/:session_id', async (c) => {
    const id = uuidParam(c, 'session_id');
    const db = c.var.db();
    const row = await safeStop(db, await loadSession(db, id, c.var.principal, 'owner'), new Date());
    return c.json(await resourceOf(db, row));
  })
  .get('/:session_id/status', async (c) => {
    const id = uuidParam(c, 'session_id');
    const db = c.var.db();
    const now = new Date();
    await markLostHosts(db, now, config(c.env));
    return c.json(
      await sessionStatus(db, await loadSession(db, id, c.var.principal, 'delegate'), now),
    );
  })
  .post('/:session_id/stop', async (c) => {
    const id = uuidParam(c, 'session_id');
    const db = c.var.db();
    const row = await safeStop(db, await loadSession(db, id, c.var.principal, 'owner'), new Date());
    return c.json(await resourceOf(db, row));
  })
  .post('/:session_id/kill', async (c) => {
    const id = uuidParam(c, 'session_id');
    const db = c.var.db();
    const row = await stopSession(
      db,
      await loadSession(db, id, c.var.principal, 'owner'),
      'killed',
      'killed',
      new Date(),
    );
    return c.json(await resourceOf(db, row));
  });
