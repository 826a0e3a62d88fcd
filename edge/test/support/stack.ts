import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningEdge, type StartEdgeOptions, startEdge } from '../../local/edge.ts';
import { migrate } from '../../local/migrate.ts';
import { startPglite } from '../../local/pglite.ts';
import { startPostgres } from '../../local/postgres.ts';
import { Api } from './api.ts';
import { seedMigratedPglite } from './pglite-template.ts';

export type DbKind = 'pglite' | 'postgres';

export interface Stack {
  kind: DbKind;
  databaseUrl: string;
  /** A direct connection (no PgBouncer), as a job-queue worker needs (LISTEN, session locks). */
  directUrl: string;
  dataDir: string;
  edge: RunningEdge;
  api: Api;
  /** Restarts the edge on the same database and data dir (same dev secrets unless `vars` override). */
  restartEdge(vars?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** Quiet edge logs in tests unless EDGE_TEST_LOGS=1. */
const log = process.env.EDGE_TEST_LOGS
  ? (line: string) => process.stderr.write(`[edge] ${line}\n`)
  : () => {};

/**
 * A real database (PGlite behind pglite-socket, or PostgreSQL behind PgBouncer), migrated, and the
 * edge under workerd on a real port.
 */
export async function startStack(
  kind: DbKind,
  options: Partial<StartEdgeOptions> = {},
): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), `bp-edge-${kind}-`));
  if (kind === 'pglite') await seedMigratedPglite(join(dataDir, 'pglite'));
  const db =
    kind === 'pglite'
      ? await startPglite({ dataDir: join(dataDir, 'pglite') })
      : await startPostgres({ pooler: true });
  const directUrl = 'directUrl' in db ? db.directUrl : db.url;
  await migrate(directUrl, { log: () => {} });
  const edgeOptions = (vars?: Record<string, string>): StartEdgeOptions => ({
    databaseUrl: db.url,
    dataDir,
    cronIntervalMs: 0,
    log,
    ...options,
    vars: { ...options.vars, ...vars },
  });
  let edge = await startEdge(edgeOptions());
  const stack: Stack = {
    kind,
    databaseUrl: db.url,
    directUrl,
    dataDir,
    edge,
    api: new Api(edge.url),
    async restartEdge(vars) {
      const port = edge.port;
      await edge.stop();
      edge = await startEdge({ ...edgeOptions(vars), port });
      stack.edge = edge;
    },
    async stop() {
      await edge.stop().catch(() => {});
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}
