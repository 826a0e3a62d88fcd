import { createMiddleware } from 'hono/factory';
import { closeDatabase, type Database, openDatabase } from '../db/client.ts';
import type { AppEnv } from '../env.ts';

/**
 * Makes `c.var.db()` open the request's database connection on first use (routes that never
 * touch Postgres never connect) and closes it after the response.
 */
export const database = createMiddleware<AppEnv>(async function database(c, next) {
  let db: Database | undefined;
  c.set('db', () => {
    db ??= openDatabase(c.env.DB.connectionString);
    return db;
  });
  try {
    await next();
  } finally {
    if (db) c.executionCtx.waitUntil(closeDatabase(db).catch(() => {}));
  }
});
