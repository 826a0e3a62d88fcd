import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import journal from '../../../migrations/meta/_journal.json';
import type { AppEnv } from '../env.ts';

/** The newest migration this build expects (drizzle records its `when` as `created_at`). */
const LATEST_MIGRATION = journal.entries.at(-1);

export const healthRoutes = new Hono<AppEnv>()
  .get('/healthz', (c) => c.json({ status: 'ok' }))
  .get('/readyz', async (c) => {
    const checks: {
      database: 'ok' | 'unreachable';
      migrations: 'current' | 'pending' | 'unknown';
    } = {
      database: 'unreachable',
      migrations: 'unknown',
    };
    let latest: string | null = null;
    try {
      const rows = await c.var
        .db()
        .execute<{ created_at: string }>(
          sql`select max(created_at)::text as created_at from drizzle.__drizzle_migrations`,
        )
        .catch((error: unknown) => {
          // Reachable, but never migrated.
          if (String((error as Error).cause ?? error).includes('does not exist'))
            return [{ created_at: null }];
          throw error;
        });
      checks.database = 'ok';
      latest = rows[0]?.created_at ?? null;
      checks.migrations =
        latest !== null && Number(latest) >= (LATEST_MIGRATION?.when ?? 0) ? 'current' : 'pending';
    } catch {
      checks.database = 'unreachable';
    }
    const ready = checks.database === 'ok' && checks.migrations === 'current';
    return c.json(
      {
        status: ready ? 'ready' : 'not_ready',
        checks,
        expected_migration: LATEST_MIGRATION?.tag ?? null,
      },
      ready ? 200 : 503,
      { 'cache-control': 'no-store' },
    );
  });
