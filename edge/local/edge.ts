import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  Log,
  LogLevel,
  Miniflare,
  type Request as MiniflareRequest,
  Response as MiniflareResponse,
} from 'miniflare';
import { buildWorker, COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from './build.ts';
import { DEV_SERVICE_CLIENTS } from './dev-secrets.ts';
import { type EdgeEndpoints, edgeEndpoints, localEdgeSettings } from './edge-endpoints.ts';
import { startHttpFront } from './http-front.ts';
import { freePort } from './ports.ts';

export interface StartEdgeOptions {
  /** postgres:// URL the worker reaches through its Hyperdrive binding `DB`. Must carry a user and password. */
  databaseUrl: string;
  /** Port on `host`; absent = a free port (npm start passes 8787). */
  port?: number;
  host?: string;
  /** The edge's public origin (`EDGE_URL`); default `http://<host>:<port>`. */
  publicUrl?: string;
  /** Extra or overriding vars and secrets (e.g. `HOST_LOST_AFTER_MS`, `OIDC_ISSUER`). */
  vars?: Record<string, string>;
  /** Serves `/` and `/console/*` (the console's static files), as the ASSETS binding. */
  assets?: (request: Request) => Promise<Response>;
  /** Keeps generated dev secrets (and R2 data) here so they survive restarts (npm start: `.browserpane`). */
  dataDir?: string;
  /** `request.cf` for every request (e.g. `{ latitude: '52.5', longitude: '13.4' }`); default: none. */
  cf?: Record<string, unknown>;
  /**
   * How the worker reaches the database. `direct` (default): the `DB` binding carries the
   * connection string and the worker's socket goes straight to the database or its pooler — the
   * "local connection string" of dev. `hyperdrive`: a Hyperdrive binding as in production, which
   * Miniflare emulates with a TCP proxy inside this Node process (≈0.6 ms of extra CPU per
   * connection, and that proxy has no socket error handlers: a connection reset while workerd
   * shuts down surfaces as an uncaught ECONNRESET in this process).
   */
  databaseBinding?: 'hyperdrive' | 'direct';
  /** Run the `scheduled` handler every this many ms (the cron in wrangler.toml is every minute); 0 = never. */
  cronIntervalMs?: number;
  /** Opens the V8 inspector on this port (CPU profiles of the worker, debugging). */
  inspectorPort?: number;
  /** Worker log lines (default: written to stderr prefixed with `[edge]`). */
  log?: (line: string) => void;
}

export interface RunningEdge extends EdgeEndpoints {
  url: string;
  port: number;
  /** Runs the worker's `scheduled` handler once (what the cron does) and waits for it. */
  triggerScheduled(): Promise<void>;
  /** Sends a message to the JOBS queue. */
  sendJob(job: { type: 'sweep' }): Promise<void>;
  stop(): Promise<void>;
  /** The underlying Miniflare instance (tests: dispatchFetch, getWorker). */
  miniflare: Miniflare;
}

function toMiniflareResponse(res: Response): Promise<MiniflareResponse> {
  return res.arrayBuffer().then(
    (body) =>
      new MiniflareResponse(body, {
        status: res.status,
        statusText: res.statusText,
        headers: [...res.headers],
      }),
  );
}

/**
 * Builds the worker with esbuild and runs it under workerd (Miniflare) with bindings as in
 * wrangler.toml (Hyperdrive `DB`, R2 `ARTIFACTS`, queue `JOBS`, optional `ASSETS`), behind a small
 * HTTP front on the real port that answers odd request targets with a JSON 400 (http-front.ts).
 */
export async function startEdge(options: StartEdgeOptions): Promise<RunningEdge> {
  const { host, port, publicUrl, vars, log } = await localEdgeSettings(options);
  // workerd listens on a loopback port of its own; the front (http-front.ts) takes `host:port`.
  const workerdPort = await freePort('127.0.0.1');
  const script = await buildWorker();
  const assets = options.assets;
  const direct = (options.databaseBinding ?? 'direct') === 'direct';
  const miniflare = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.js', contents: script }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: COMPATIBILITY_FLAGS,
    host: '127.0.0.1',
    port: workerdPort,
    bindings: direct ? { ...vars, DB: { connectionString: options.databaseUrl } } : vars,
    ...(direct ? {} : { hyperdrives: { DB: options.databaseUrl } }),
    r2Buckets: ['ARTIFACTS'],
    r2Persist: options.dataDir ? join(options.dataDir, 'r2') : false,
    queueProducers: { JOBS: 'browserpane-jobs' },
    queueConsumers: { 'browserpane-jobs': { maxBatchTimeout: 1 } },
    ...(assets
      ? {
          serviceBindings: {
            ASSETS: async (req: MiniflareRequest) => {
              const body = ['GET', 'HEAD'].includes(req.method)
                ? undefined
                : await req.arrayBuffer();
              const res = await assets(
                new Request(req.url, { method: req.method, headers: [...req.headers], body }),
              );
              return toMiniflareResponse(res);
            },
          },
        }
      : {}),
    cf: options.cf ?? { colo: 'LOCAL' },
    ...((options as { inspectorPort?: number }).inspectorPort
      ? { inspectorPort: (options as { inspectorPort?: number }).inspectorPort }
      : {}),
    log: new Log(LogLevel.WARN),
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const stream of [stdout, stderr]) {
        let buffered = '';
        stream.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) if (line.trim()) log(line);
        });
      }
    },
  });
  await miniflare.ready;
  const front = await startHttpFront({
    host,
    port,
    target: { host: '127.0.0.1', port: workerdPort },
  }).catch(async (error: unknown) => {
    await miniflare.dispose();
    throw error;
  });
  const worker = await miniflare.getWorker();
  const triggerScheduled = async () => {
    await worker.scheduled({ cron: '* * * * *', scheduledTime: new Date() });
  };
  const cronMs = options.cronIntervalMs ?? 60_000;
  const timer =
    cronMs > 0
      ? setInterval(() => {
          triggerScheduled().catch((error: Error) =>
            log(`scheduled handler failed: ${error.message}`),
          );
        }, cronMs)
      : undefined;
  timer?.unref();
  const queue = await miniflare.getQueueProducer<{ type: 'sweep' }>('JOBS');
  return {
    url: `http://${host}:${port}`,
    port,
    ...edgeEndpoints(publicUrl, vars),
    triggerScheduled,
    async sendJob(job) {
      await queue.send(job);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await front.close();
      await miniflare.dispose();
    },
    miniflare,
  };
}

export { DEV_SERVICE_CLIENTS };
