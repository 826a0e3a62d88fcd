import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
export type Database = PostgresJsDatabase & { $client: postgres.Sql };

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

/** A transaction handle (what `db.transaction(fn)` passes to `fn`). */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Anything that runs queries: the request's database or a transaction on it. */
export type Queryable = Database | Tx;
