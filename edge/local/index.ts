/**
 * @module
 * Local tooling for the edge (Node only; never bundled into the worker). Used by `npm start`, the
 * end-to-end tests and the benchmark.
 *
 * ```ts
 * import { migrate, startEdge, startPglite, startPostgres } from '@browserpane/edge/local';
 *
 * // The embedded default database (when DATABASE_URL is unset): PGlite on a local port.
 * const db = await startPglite({ dataDir: '.browserpane/pglite' });   // → { url, port, stop() }
 * // Or a throwaway real PostgreSQL (tests, bench), optionally behind PgBouncer:
 * const pg = await startPostgres({ pooler: true });                   // → { url, directUrl, pooled, stop() }
 *
 * await migrate(db.url);                                              // → { applied: string[] }
 *
 * const edge = await startEdge({
 *   databaseUrl: db.url,
 *   port: 8787,                          // default: a free port
 *   dataDir: '.browserpane',             // keeps generated dev secrets (tickets survive restarts)
 *   assets: (req) => serveConsole(req),  // optional: the console's static files (ASSETS binding)
 *   vars: { HOST_LOST_AFTER_MS: '15000' },
 * });
 * edge.url;                              // http://127.0.0.1:8787
 * edge.jwksUrl; edge.ticketIssuer;       // what the host agent verifies tickets against
 * edge.devOidc;                          // { issuer, tokenEndpoint, audience } of the dev issuer
 * edge.secrets.hostEnrollmentToken;      // for the host agent (never print)
 * edge.secrets.serviceClients['mcp-bridge']; // client secret for the client-credentials grant
 * await edge.triggerScheduled();         // run the cron handler now (it also runs every minute)
 * await edge.stop(); await db.stop();
 *
 * // The self-hosted shape: plain `workerd serve deploy/workerd/edge.capnp`, no Miniflare (no cron,
 * // queues or R2; see deploy/workerd/README.md). The benchmark measures the edge this way.
 * const wd = await startWorkerd({ databaseUrl: pg.url, inspectorPort: 9229 }); // → { url, pid, secrets, stop() }
 * ```
 *
 * CLI: `npm run migrate -w @browserpane/edge` applies migrations to `DATABASE_URL`;
 * `npm run build:workerd -w @browserpane/edge` bundles the worker and builds the console (its ASSETS)
 * for deploy/workerd.
 */
export { buildWorker, COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from './build.ts';
export {
  DEV_SERVICE_CLIENTS,
  type DevSecrets,
  devSecrets,
  generateEd25519Jwk,
} from './dev-secrets.ts';
export { type RunningEdge, type StartEdgeOptions, startEdge } from './edge.ts';
export { MIGRATIONS_DIR, type MigrateOptions, migrate } from './migrate.ts';
export { type RunningDatabase, type StartPgliteOptions, startPglite } from './pglite.ts';
export { freePort } from './ports.ts';
export {
  type RunningPgbouncer,
  type RunningPostgres,
  type StartPostgresOptions,
  startPgbouncer,
  startPostgres,
} from './postgres.ts';
export {
  buildWorkerdBundle,
  buildWorkerdConsole,
  type RunningWorkerd,
  type StartWorkerdOptions,
  startWorkerd,
  WORKERD_BUNDLE,
  WORKERD_CONFIG,
  WORKERD_CONSOLE,
  workerdBinary,
} from './workerd.ts';
