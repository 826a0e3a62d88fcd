import { routes } from '@browserpane/api/contract';
import type { Context, Hono } from 'hono';
import { config, edgeOrigin } from '../config.ts';
import type { SessionRow } from '../db/schema/index.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { implement } from '../http/route.ts';
import { artifactStore } from '../services/artifacts/index.ts';
import { hostRelayUrl, wakeHost } from '../services/hosts/wake.ts';
import { statesFor, statesForRuntime } from '../services/session-view.ts';
import { purgeSession, renameSession } from '../services/sessions/rename-and-purge.ts';
import {
  cancelQueued,
  createSession,
  listSessions,
  loadSession,
  releaseSession,
  resourceOf,
  resourcesOf,
  safeStop,
  sessionStatus,
  stopSession,
  type ViewContext,
} from '../services/sessions.ts';

/** What views of a session need from the request: the edge's origin and the time. */
export function viewContext(c: Context<AppEnv>): ViewContext {
  return {
    origin: edgeOrigin(config(c.env), c.req.url),
    now: new Date(),
    principal: c.var.principal,
  };
}

/** Where the request came from, when the platform knows (Cloudflare's request.cf). */
export function requestOrigin(raw: Request): { latitude: number | null; longitude: number | null } {
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

/**
 * A refused stop or release carries the unchanged session (the reference's conflict body), so the
 * caller reads its blockers there too.
 */
async function withSessionOnConflict<T>(
  c: Context<AppEnv>,
  row: SessionRow,
  action: () => Promise<T>,
): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof AppError && error.code === 'session_not_stoppable') {
      throw new AppError(error.code, error.message, {
        details: error.details,
        session: await resourceOf(c.var.db(), row, viewContext(c)),
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Tells the host the session was just placed on to heartbeat now (after the answer is sent), so
 * the browser starts without waiting for its next heartbeat.
 */
async function wakeAfterResponse(c: Context<AppEnv>, hostId: string): Promise<void> {
  const relayUrl = await hostRelayUrl(c.var.db(), hostId);
  if (!relayUrl) return;
  const issuer = edgeOrigin(config(c.env), c.req.url);
  const call = wakeHost(relayUrl, c.env.TICKET_SIGNING_KEY, issuer, hostId);
  try {
    c.executionCtx.waitUntil(call);
  } catch {
    // no execution context (a test calling the app directly): the call runs on by itself
  }
}

/** Session resources: create, list, read, rename, safe stop (DELETE and /stop) or purge, kill, cancel, release, status. */
export function sessionRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.createSession, async (c, { body }) => {
    const db = c.var.db();
    const row = await createSession(
      db,
      c.var.principal,
      body ?? {},
      requestOrigin(c.req.raw),
      new Date(),
      config(c.env),
    );
    if (row.hostId) await wakeAfterResponse(c, row.hostId);
    return {
      status: 201,
      body: await resourceOf(db, row, viewContext(c)),
      headers: { location: `/api/v1/sessions/${row.id}` },
    };
  });

  implement(app, routes.listSessions, async (c, { query, dynamic }) => {
    const db = c.var.db();
    const states = [
      query.state ? statesFor(query.state.split(',')) : undefined,
      query.runtime_state ? statesForRuntime(query.runtime_state.split(',')) : undefined,
    ].filter((s) => s !== undefined);
    const page = await listSessions(db, c.var.principal, {
      limit: query.limit ?? 50,
      offset: query.offset,
      cursor: query.cursor,
      states:
        states.length === 0
          ? undefined
          : (states.reduce((a, b) => a.filter((s) => b.includes(s))) ?? []),
      labels: dynamic['label.'],
      integration: dynamic['integration.'],
      templateId: query.template_id,
      query: query.q,
    });
    return {
      status: 200,
      body: {
        sessions: await resourcesOf(db, page.rows, viewContext(c)),
        next_cursor: page.nextCursor,
      },
    };
  });

  implement(app, routes.getSession, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'shared');
    return { status: 200, body: await resourceOf(db, row, viewContext(c)) };
  });

  implement(app, routes.getSessionStatus, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'shared');
    return { status: 200, body: await sessionStatus(db, row, viewContext(c)) };
  });

  const stop = async (c: Context<AppEnv>, id: string) => {
    const db = c.var.db();
    const row = await loadSession(db, id, c.var.principal, 'owner');
    const stopped = await withSessionOnConflict(c, row, () => safeStop(db, row, new Date()));
    return { status: 200 as const, body: await resourceOf(db, stopped, viewContext(c)) };
  };
  implement(app, routes.deleteSession, async (c, { params, query }) => {
    if (query.purge !== 'true') return stop(c, params.session_id);
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const body = await resourceOf(db, row, viewContext(c));
    await purgeSession(db, row, artifactStore(c.env));
    return { status: 200 as const, body };
  });

  implement(app, routes.updateSession, async (c, { params, body }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const renamed = await renameSession(db, row, body.display_name, new Date());
    return { status: 200, body: await resourceOf(db, renamed, viewContext(c)) };
  });
  implement(app, routes.stopSession, (c, { params }) => stop(c, params.session_id));

  implement(app, routes.killSession, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const killed = await stopSession(db, row, 'killed', 'killed', new Date());
    return { status: 200, body: await resourceOf(db, killed, viewContext(c)) };
  });

  implement(app, routes.cancelQueuedSession, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const cancelled = await cancelQueued(db, row, new Date());
    return { status: 200, body: await resourceOf(db, cancelled, viewContext(c)) };
  });

  implement(app, routes.releaseSessionRuntime, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const released = await withSessionOnConflict(c, row, () =>
      releaseSession(db, row, new Date(), config(c.env)),
    );
    return { status: 200, body: await resourceOf(db, released, viewContext(c)) };
  });
}
