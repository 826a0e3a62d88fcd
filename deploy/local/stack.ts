/**
 * The local stack as a library: database (embedded PGlite, a throwaway PostgreSQL, or a given
 * URL), migrations, the console build, the edge under workerd serving the console, and one host
 * agent — as a supervised child process (`npm start`) or in this process (tests that need to look
 * inside the host). `deploy/local/start.ts` and the end-to-end tests both start it from here.
 */
import { join } from 'node:path';
import { buildClient } from '../../client/scripts/build.ts';
import { consoleAssets } from '../../client/scripts/console-assets.ts';
import {
  freePort,
  migrate,
  type RunningEdge,
  startEdge,
  startPglite,
  startPostgres,
} from '../../edge/local/index.ts';
import { parseHostConfig } from '../../host-pool/src/config.ts';
import { type RunningHost, startHostAgent } from '../../host-pool/src/host.ts';
import { createLogger } from '../../host-pool/src/log.ts';
import {
  bridgeConfig,
  createLogger as createBridgeLogger,
  type RunningBridge,
  startBridge,
} from '../../workers/mcp-bridge/src/index.ts';
import { type SupervisedHost, superviseHostProcess } from './host-process.ts';
import {
  startWorkflowWorkerProcess,
  type WorkflowWorkerProcess,
} from './workflow-worker-process.ts';

export interface LocalStackOptions {
  /** Where data lives (npm start: `.browserpane`; tests: a temp dir). */
  readonly dataDir: string;
  /** Edge port; 0 picks a free one. */
  readonly port?: number;
  readonly relayPort?: number;
  readonly plainPort?: number;
  /** `pglite` (default), `postgres` (a throwaway real server) or a connection URL. */
  readonly database?: 'pglite' | 'postgres' | { url: string };
  /** How to run the host agent. */
  readonly host?: 'child' | 'in-process' | 'none';
  readonly hostMaxSessions?: number;
  /** HOST_WARM_RUNTIMES of the host agent (default: the agent's own default). */
  readonly hostWarmRuntimes?: number;
  /** HOST_METRICS_TOKEN of the host agent (default: none, /metrics off). */
  readonly hostMetricsToken?: string;
  /**
   * Host loopback ports the sessions' sandboxed browsers may reach (HOST_SANDBOX_ALLOW_PORTS):
   * the test and benchmark page servers. Default none, as on a real host.
   */
  readonly sandboxAllowPorts?: readonly number[];
  /** Extra edge vars (e.g. HOST_LOST_AFTER_MS). */
  readonly edgeVars?: Record<string, string>;
  /** Progress lines for people. */
  readonly say?: (line: string) => void;
  readonly edgeLog?: (line: string) => void;
  readonly hostLog?: (line: string) => void;
  /** Also run the MCP bridge (in this process) and name it to the console (`MCP_BRIDGE_URL`). */
  readonly mcpBridge?: {
    /** 0 picks a free port (npm start: 8931). */
    readonly port: number;
    readonly supervisedDelayMs?: number;
    readonly statusPollMs?: number;
    readonly log?: (line: string) => void;
  };
  /** Also run the workflow worker (a child process); `env` adds or overrides its settings. */
  readonly workflowWorker?: {
    readonly env?: Record<string, string>;
    readonly log?: (line: string) => void;
  };
}

export interface LocalStack {
  readonly url: string;
  readonly databaseUrl: string;
  readonly edge: RunningEdge;
  /** Stops the edge and starts it again on the same port and data (a deploy, a crash). */
  restartEdge(): Promise<void>;
  /** Restarts the throwaway PostgreSQL server (database 'postgres' only). */
  restartDatabase(): Promise<void>;
  /** The host relay's TLS port and its loopback plain-WebSocket port (CDP gateway too). */
  readonly relayPort: number;
  readonly plainPort: number;
  /** The in-process host agent (host: 'in-process'). */
  readonly host: RunningHost | undefined;
  /** The child-process host agent (host: 'child'). */
  readonly hostProcess: SupervisedHost | undefined;
  /** The MCP bridge (option `mcpBridge`). */
  readonly mcpBridge: RunningBridge | undefined;
  /** The workflow worker (option `workflowWorker`). */
  readonly workflowWorker: WorkflowWorkerProcess | undefined;
  /** The job queue's database (direct, not through the pooler). */
  readonly queueDatabaseUrl: string;
  /**
   * Stops the in-process host agent and starts a new one with the same settings and data
   * directory, as a restart of the agent process would (tests: what survives a restart). With
   * `relay` ports, the new agent's relay listens (and is announced) there: its sessions move to
   * another relay URL, as they would to another host.
   */
  restartHost(relay?: { port: number; plainPort: number }): Promise<RunningHost>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const say = options.say ?? (() => {});
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    let databaseUrl: string;
    let migrateUrl: string | undefined;
    let restartDatabase = async (): Promise<void> => {
      throw new Error('only a throwaway PostgreSQL (database: postgres) can be restarted');
    };
    if (typeof options.database === 'object') {
      databaseUrl = options.database.url;
      say(`database: ${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}`);
    } else if (options.database === 'postgres') {
      say('database: starting a PostgreSQL server (with PgBouncer, standing in for Hyperdrive)…');
      const pg = await startPostgres({ pooler: true });
      restartDatabase = () => pg.restart();
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
      migrateUrl = pg.directUrl;
    } else {
      say(
        `database: starting the embedded PostgreSQL (PGlite, data in ${join(options.dataDir, 'pglite')})…`,
      );
      const db = await startPglite({ dataDir: join(options.dataDir, 'pglite') });
      stops.push(() => db.stop());
      databaseUrl = db.url;
    }
    const { applied } = await migrate(migrateUrl ?? databaseUrl);
    say(
      applied.length
        ? `database: applied ${applied.length} migration(s)`
        : 'database: schema up to date',
    );

    say('console: building…');
    await buildClient();

    const port = options.port ?? 8787;
    const bridgePort = options.mcpBridge ? options.mcpBridge.port || (await freePort()) : 0;
    say(`edge: starting under workerd${port ? ` on http://localhost:${port}` : ''}…`);
    const edgeOptions = {
      databaseUrl,
      port: port || undefined,
      ...(port ? { publicUrl: `http://localhost:${port}` } : {}),
      dataDir: options.dataDir,
      assets: consoleAssets(),
      // The sweep marks late hosts lost (reads never do): run it every 5 s, so a host that stops
      // heartbeating is noticed within its HOST_LOST_AFTER_MS (15 s) plus a few seconds.
      cronIntervalMs: 5_000,
      vars: {
        ...(bridgePort ? { MCP_BRIDGE_URL: `http://127.0.0.1:${bridgePort}` } : {}),
        // Local receivers (a webhook test server on this machine) are what local use is about.
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        ...options.edgeVars,
      },
      log: options.edgeLog ?? (() => {}),
    };
    let edge = await startEdge(edgeOptions);
    stops.push(() => edge.stop());

    const relayPort = options.relayPort ?? 4443;
    const plainPort = options.plainPort ?? 4480;
    const hostEnv: Record<string, string> = {
      EDGE_URL: edge.url,
      HOST_ENROLLMENT_TOKEN: edge.secrets.hostEnrollmentToken,
      HOST_NAME: 'local-host',
      RELAY_HOST: '127.0.0.1',
      RELAY_PORT: String(relayPort),
      RELAY_PLAIN_PORT: String(plainPort),
      RELAY_PUBLIC_URL: `http://127.0.0.1:${plainPort}`,
      HOST_DATA_DIR: join(options.dataDir, 'host'),
      ...(options.hostMaxSessions ? { HOST_MAX_SESSIONS: String(options.hostMaxSessions) } : {}),
      ...(options.hostWarmRuntimes !== undefined
        ? { HOST_WARM_RUNTIMES: String(options.hostWarmRuntimes) }
        : {}),
      ...(options.hostMetricsToken ? { HOST_METRICS_TOKEN: options.hostMetricsToken } : {}),
      ...(options.sandboxAllowPorts?.length
        ? { HOST_SANDBOX_ALLOW_PORTS: options.sandboxAllowPorts.join(',') }
        : {}),
    };
    let host: RunningHost | undefined;
    let hostProcess: SupervisedHost | undefined;
    const startInProcessHost = () =>
      startHostAgent(
        parseHostConfig(hostEnv, []),
        createLogger({ module: 'host' }, 'info', options.hostLog ?? (() => {})),
      );
    if (options.host === 'in-process') {
      if (!relayPort || !plainPort) throw new Error('an in-process host needs fixed relay ports');
      say('host agent: starting in this process…');
      host = await startInProcessHost();
      stops.push(() => host?.stop() ?? Promise.resolve());
    } else if (options.host !== 'none') {
      say(
        `host agent: starting (relay https://127.0.0.1:${relayPort}, local browsers use ws://127.0.0.1:${plainPort})…`,
      );
      hostProcess = superviseHostProcess(hostEnv, options.hostLog ?? (() => {}), say);
      const supervised = hostProcess;
      stops.push(() => supervised.stop());
      await hostProcess.enrolled;
    }
    let mcpBridge: RunningBridge | undefined;
    if (options.mcpBridge) {
      say(`mcp bridge: starting on http://127.0.0.1:${bridgePort}…`);
      const write = options.mcpBridge.log ?? (() => {});
      const bridge = await startBridge(
        bridgeConfig({
          apiUrl: edge.url,
          clientSecret: edge.secrets.serviceClients['mcp-bridge'] as string,
          port: bridgePort,
          allowedOrigins: [
            ...new Set([
              new URL(edge.url).origin,
              `http://localhost:${edge.port}`,
              `http://127.0.0.1:${edge.port}`,
            ]),
          ],
          ...(options.mcpBridge.supervisedDelayMs !== undefined
            ? { supervisedDelayMs: options.mcpBridge.supervisedDelayMs }
            : {}),
          ...(options.mcpBridge.statusPollMs !== undefined
            ? { statusPollMs: options.mcpBridge.statusPollMs }
            : {}),
        }),
        createBridgeLogger('info', write),
      );
      mcpBridge = bridge;
      stops.push(() => bridge.close());
    }
    let workflowWorker: WorkflowWorkerProcess | undefined;
    if (options.workflowWorker) {
      say('workflow worker: starting…');
      const worker = startWorkflowWorkerProcess(
        {
          BROWSERPANE_API_URL: edge.url,
          WORKFLOW_WORKER_CLIENT_SECRET: edge.secrets.serviceClients['workflow-worker'] as string,
          DATABASE_URL: migrateUrl ?? databaseUrl,
          WORKFLOW_WORKER_DATA_DIR:
            process.env.WORKFLOW_WORKER_DATA_DIR ?? join(options.dataDir, 'workflow-worker'),
          // PGlite has no usable LISTEN/NOTIFY: poll quickly; PostgreSQL notifies.
          WORKFLOW_WORKER_POLL_MS:
            process.env.WORKFLOW_WORKER_POLL_MS ?? (migrateUrl ? '1000' : '250'),
          ...options.workflowWorker.env,
        },
        options.workflowWorker.log ?? (() => {}),
      );
      stops.push(() => worker.stop());
      await worker.ready;
      workflowWorker = worker;
    }
    return {
      get edge() {
        return edge;
      },
      async restartEdge() {
        const port = edge.port;
        await edge.stop();
        edge = await startEdge({ ...edgeOptions, port });
      },
      restartDatabase,
      url: edge.url,
      databaseUrl,
      queueDatabaseUrl: migrateUrl ?? databaseUrl,
      workflowWorker,
      get relayPort() {
        return Number(hostEnv.RELAY_PORT);
      },
      get plainPort() {
        return Number(hostEnv.RELAY_PLAIN_PORT);
      },
      get host() {
        return host;
      },
      hostProcess,
      mcpBridge,
      async restartHost(relay) {
        if (options.host !== 'in-process' || !host) throw new Error('no in-process host agent');
        await host.stop();
        host = undefined;
        if (relay) {
          hostEnv.RELAY_PORT = String(relay.port);
          hostEnv.RELAY_PLAIN_PORT = String(relay.plainPort);
          hostEnv.RELAY_PUBLIC_URL = `http://127.0.0.1:${relay.plainPort}`;
        }
        host = await startInProcessHost();
        return host;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
