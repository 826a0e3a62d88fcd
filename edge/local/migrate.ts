import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate as drizzleMigrate } from 'drizzle-orm/postgres-js/migrator';
import { runMigrations as jobQueueMigrations, Logger } from 'graphile-worker';
import postgres from 'postgres';

/** The repository's `migrations/` folder (drizzle-kit 0.31 layout: meta/_journal.json + <tag>.sql). */
export const MIGRATIONS_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'migrations',
);

const MIGRATE_LOCK = 0x42_50_6d_67;

export interface MigrateOptions {
  migrationsFolder?: string;
  /** Progress lines (default: stdout). */
  log?: (line: string) => void;
}

/** graphile-worker's logger, silenced (its migration lines would drown ours). */
const quietLogger = new Logger(() => () => {});

interface JournalEntry {
  tag: string;
  when: number;
}

/**
 * Applies pending SQL migrations to the database at `url` (from Node; never inside the worker),
 * then installs or upgrades the job queue's schema (graphile-worker's own migrations), so the edge
 * can `select graphile_worker.add_job(…)` before any workflow worker ever started.
 * Safe to run concurrently: a session advisory lock makes the second run wait for the first.
 * Use a direct connection, not a transaction-mode pooler.
 */
export async function migrate(
  url: string,
  options: MigrateOptions = {},
): Promise<{ applied: string[] }> {
  const folder = options.migrationsFolder ?? MIGRATIONS_DIR;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 15 });
  try {
    await sql`select pg_advisory_lock(${MIGRATE_LOCK})`;
    const [{ exists }] = await sql<
      { exists: boolean }[]
    >`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`;
    let last = 0;
    if (exists) {
      const [row] = await sql<
        { last: string | null }[]
      >`select max(created_at)::text as last from drizzle.__drizzle_migrations`;
      last = Number(row?.last ?? 0);
    }
    const pending = journal.entries.filter((e) => e.when > last);
    await jobQueueMigrations({ connectionString: url, logger: quietLogger });
    if (pending.length === 0) {
      log(`[migrate] schema is current (${journal.entries.length} migration(s))`);
      return { applied: [] };
    }
    for (const entry of pending) log(`[migrate] applying ${entry.tag}`);
    await drizzleMigrate(drizzle(sql), { migrationsFolder: folder });
    log(`[migrate] applied ${pending.length} migration(s); schema is current`);
    return { applied: pending.map((e) => e.tag) };
  } finally {
    await sql`select pg_advisory_unlock(${MIGRATE_LOCK})`.catch(() => {});
    await sql.end({ timeout: 5 });
  }
}
