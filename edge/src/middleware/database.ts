import { createMiddleware } from 'hono/factory';
import {
  closeDatabase,
  type Database,
  databaseUrl,
  openDatabase,
  type QueryOnce,
} from '../db/client.ts';
import { queryOnce, wireConfig } from '../db/pg-wire.ts';
import type { AppEnv } from '../env.ts';

/**
 * Makes `c.var.db()` open the request's database connection on first use (routes that never
 * touch Postgres never connect) and closes it after the response. `c.var.query` runs one
 * statement on a short connection of its own through the lean wire client (db/pg-wire.ts), or on
 * the request's postgres.js connection when the connection string needs what only postgres.js
 * does (TLS, unix sockets, driver options).
 */
export const database = createMiddleware<AppEnv>(async function database(c, next) {
  let db: Database | undefined;
  const open = () => {
    db ??= openDatabase(databaseUrl(c.env));
    return db;
  };
  c.set('db', open);
  c.set('query', function query<T>(text: string, params: readonly (string | null)[]) {
    const wire = wireConfig(databaseUrl(c.env));
    if (wire) return queryOnce<T>(wire, text, params);
    return open().$client.unsafe(text, params as string[]) as unknown as Promise<T[]>;
  } as QueryOnce);
  try {
    await next();
  } finally {
    if (db) c.executionCtx.waitUntil(closeDatabase(db).catch(() => {}));
  }
});
