import { migrate } from './migrate.ts';

const HELP = `usage: npm run migrate -w @browserpane/edge [-- --help]

Applies the SQL migrations in migrations/ to the database named by DATABASE_URL
(a postgres:// URL; use a direct connection, not a transaction-mode pooler).
Run it before the edge starts; it is safe to run again (already applied migrations are skipped).`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  if (args.length > 0) {
    console.error(`unknown argument: ${args[0]}\n\n${HELP}`);
    return 2;
  }
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(
      'DATABASE_URL is not set (e.g. DATABASE_URL=postgres://user:pass@127.0.0.1:5432/browserpane)',
    );
    return 2;
  }
  try {
    await migrate(url);
    return 0;
  } catch (error) {
    // The driver's message names the problem (connection refused, auth failed, SQL error); the URL
    // may hold a password, so it is never printed.
    console.error(`[migrate] failed: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
