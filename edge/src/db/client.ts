import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { AppError } from '../errors.ts';
export type Database = PostgresJsDatabase & { $client: postgres.Sql };

/** The database's connection string: the Hyperdrive binding `DB`, else `DATABASE_URL` (plain workerd). */
export function databaseUrl(env: {
  DB?: { connectionString: string };
  DATABASE_URL?: string;
}): string {
  const url = env.DB?.connectionString ?? env.DATABASE_URL;
  if (!url) {
    throw new AppError(
      'config_invalid',
      'no database configured: bind Hyperdrive as DB (or set DATABASE_URL on plain workerd)',
    );
  }
  return url;
}

/**
 * One connection per request: a Worker cannot reuse a socket across requests, so pooling is the
 * job of what sits in front of Postgres (Hyperdrive in production, PgBouncer locally).
 * `prepare: false` because transaction-mode poolers do not keep named statements;
 * `fetch_types: false` saves the catalog round trip on every connect (no custom types here).
 * No relational `schema` is passed to drizzle: building its relational config costs CPU on
 * every request and the query builder does not need it.
 */
export function openDatabase(connectionString: string): Database {
  const sql = postgres(connectionString, {
    max: 1,
    prepare: false,
    fetch_types: false,
    connect_timeout: 10,
    onnotice: () => {},
  });
  return drizzle(sql, { casing: 'snake_case' }) as Database;
}

export async function closeDatabase(db: Database): Promise<void> {
  await db.$client.end({ timeout: 2 });
}

/**
 * Runs one statement (`$1`… parameters) on a connection of its own and returns the rows: the
 * request's `c.var.query` (see middleware/database.ts). For hot paths that need one query.
 */
export type QueryOnce = <T>(text: string, params: readonly (string | null)[]) => Promise<T[]>;

/** A transaction handle (what `db.transaction(fn)` passes to `fn`). */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Anything that runs queries: the request's database or a transaction on it. */
export type Queryable = Database | Tx;
