/** The worker's settings, read once from the environment (`--help` lists them). */
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WorkerConfig {
  /** The edge (API v1). */
  apiUrl: string;
  /** Client credentials of the worker's service principal (listed in the edge's WORKFLOW_WORKER_CLIENT_IDS). */
  clientId: string;
  clientSecret: string;
  /** Token endpoint; null: the edge's `/auth-config.json` names it. */
  tokenUrl: string | null;
  /** The job queue's database (graphile-worker), a direct connection. */
  databaseUrl: string;
  workerId: string;
  /** Runs at once on this worker. */
  concurrency: number;
  /** Which jobs this worker takes: `runs` (runs and git sources) and/or `webhooks`. */
  jobs: ('runs' | 'webhooks')[];
  /** Webhook delivery attempts at once (a runner of their own, beside the runs). */
  webhookConcurrency: number;
  /** How often the queue is polled besides LISTEN/NOTIFY (PGlite has no usable NOTIFY). */
  pollIntervalMs: number;
  /** How often a run's lease is renewed (and cancels and answers are noticed). */
  heartbeatMs: number;
  /** Default memory cap of an entrypoint process (the version may set its own). */
  memoryMb: number;
  /** Snapshots, working directories. */
  dataDir: string;
  /** Protocols git may use (GIT_ALLOW_PROTOCOL). */
  gitProtocols: string[];
  /** How long a git command may take. */
  gitTimeoutMs: number;
  /** Default hold of a `requestInput` without its own timeout. */
  holdTimeoutSec: number;
}

export const HELP = `workflow-worker — runs BrowserPane workflow runs

Takes graphile-worker jobs from the database, runs each run's pinned source against its session
(through the host's CDP gateway) in a child process with a wall-clock limit and a memory cap, and
reports logs, events, outputs and produced files to the edge.

Settings (environment):
  BROWSERPANE_API_URL              the edge                                     (required)
  WORKFLOW_WORKER_CLIENT_ID        service principal's client id     (default workflow-worker)
  WORKFLOW_WORKER_CLIENT_SECRET    its secret                                   (required)
  WORKFLOW_WORKER_TOKEN_URL        token endpoint        (default: from the edge's /auth-config.json)
  DATABASE_URL                     the job queue's PostgreSQL (a direct connection) (required)
  WORKFLOW_WORKER_ID               name in events                   (default <hostname>-<pid>)
  WORKFLOW_WORKER_CONCURRENCY      runs at once                                 (default 2)
  WORKFLOW_WORKER_JOBS             jobs taken: runs (and git sources), webhooks (default runs,webhooks)
  WORKFLOW_WORKER_WEBHOOK_CONCURRENCY  webhook deliveries at once              (default 4)
  WORKFLOW_WORKER_POLL_MS          queue polling besides LISTEN/NOTIFY          (default 500)
  WORKFLOW_WORKER_HEARTBEAT_MS     lease renewal and cancel/answer pickup       (default 1000)
  WORKFLOW_WORKER_MEMORY_MB        memory cap of an entrypoint process          (default 1024)
  WORKFLOW_WORKER_DATA_DIR         snapshot cache and work dirs    (default <tmp>/browserpane-workflow-worker)
  WORKFLOW_GIT_PROTOCOLS           protocols git may use (https,http,ssh,git)    (default https,ssh)
  WORKFLOW_GIT_TIMEOUT_MS          limit of one git command                     (default 120000)
  WORKFLOW_HOLD_TIMEOUT_SEC        default hold of requestInput                 (default 900)
Git runs with prompts off (GIT_TERMINAL_PROMPT=0, ssh BatchMode) and the protocol allow-list;
the worker's own git configuration (SSH keys, credential helpers, proxies, CAs) applies.
Webhook deliveries (\`webhook_delivery\` jobs) come signed from the edge; the worker resolves the
target, refuses non-public addresses unless the edge's WEBHOOK_ALLOW_PRIVATE_TARGETS allows them,
and connects to the address it checked.`;

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}`);
  return n;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new ConfigError(`${name} is required (see --help)`);
  return v;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const protocols = (env.WORKFLOW_GIT_PROTOCOLS || 'https,ssh')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of protocols)
    if (!['https', 'http', 'ssh', 'git'].includes(p))
      throw new ConfigError('WORKFLOW_GIT_PROTOCOLS may list only https, http, ssh, git');
  const jobs = (env.WORKFLOW_WORKER_JOBS || 'runs,webhooks')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (jobs.length === 0 || jobs.some((j) => j !== 'runs' && j !== 'webhooks'))
    throw new ConfigError('WORKFLOW_WORKER_JOBS may list only runs, webhooks');
  return {
    apiUrl: required(env, 'BROWSERPANE_API_URL').replace(/\/+$/, ''),
    clientId: env.WORKFLOW_WORKER_CLIENT_ID || 'workflow-worker',
    clientSecret: required(env, 'WORKFLOW_WORKER_CLIENT_SECRET'),
    tokenUrl: env.WORKFLOW_WORKER_TOKEN_URL || null,
    databaseUrl: required(env, 'DATABASE_URL'),
    workerId: env.WORKFLOW_WORKER_ID || `${hostname()}-${process.pid}`,
    concurrency: int(env, 'WORKFLOW_WORKER_CONCURRENCY', 2, 1, 64),
    jobs: jobs as ('runs' | 'webhooks')[],
    webhookConcurrency: int(env, 'WORKFLOW_WORKER_WEBHOOK_CONCURRENCY', 4, 1, 256),
    pollIntervalMs: int(env, 'WORKFLOW_WORKER_POLL_MS', 500, 50, 60_000),
    heartbeatMs: int(env, 'WORKFLOW_WORKER_HEARTBEAT_MS', 1000, 100, 60_000),
    memoryMb: int(env, 'WORKFLOW_WORKER_MEMORY_MB', 1024, 64, 65_536),
    dataDir: env.WORKFLOW_WORKER_DATA_DIR || join(tmpdir(), 'browserpane-workflow-worker'),
    gitProtocols: protocols,
    gitTimeoutMs: int(env, 'WORKFLOW_GIT_TIMEOUT_MS', 120_000, 1000, 3_600_000),
    holdTimeoutSec: int(env, 'WORKFLOW_HOLD_TIMEOUT_SEC', 900, 1, 604_800),
  };
}
