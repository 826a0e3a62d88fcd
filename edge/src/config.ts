import type { Env } from './env.ts';
import { AppError } from './errors.ts';

/** Audience of connect tickets; the relay checks it. */
export const TICKET_AUDIENCE = 'browserpane-relay';
/** Default audience of user and service tokens for this API. */
export const DEFAULT_API_AUDIENCE = 'browserpane-api';
export const DEFAULT_CONSOLE_CLIENT_ID = 'browserpane-console';
export const DEV_OIDC_PATH = '/dev-oidc';

export interface Config {
  /** Public origin of the edge, without trailing slash; null = take it from the request. */
  edgeUrl: string | null;
  devOidc: boolean;
  oidcIssuer: string | null;
  oidcAudience: string;
  oidcJwksUrl: string | null;
  consoleClientId: string;
  hostLostAfterMs: number;
  heartbeatIntervalMs: number;
  defaultIdleTimeoutSec: number;
  ticketTtlSec: number;
  /** Sessions one principal may own that are not stopped or failed (`MAX_SESSIONS_PER_USER`). */
  maxSessionsPerUser: number;
  devRedirectOrigins: string[];
  /** The MCP bridge the console delegates sessions to (`MCP_BRIDGE_URL`); null = none. */
  mcpBridgeUrl: string | null;
  /** Service principals (OAuth client ids) that act as workflow workers. */
  workflowWorkerClientIds: string[];
  /** Git URL protocols a workflow source may use (`WORKFLOW_GIT_PROTOCOLS`). */
  workflowGitProtocols: string[];
  /** Runs admitted at once, pool-wide; more wait in `queued`. */
  workflowMaxActiveRuns: number;
  /** Runs admitted at once per owner. */
  workflowMaxActiveRunsPerOwner: number;
  /** How long a worker's hold on a run lasts without a heartbeat. */
  workflowLeaseMs: number;
  /** How long publishing a git version waits for a worker to resolve it. */
  workflowSourceWaitMs: number;
  /** Webhook targets on loopback, link-local, private or unique-local addresses are allowed. */
  webhookAllowPrivateTargets: boolean;
  /** Attempts of one delivery before it is `failed` (a redelivery grants as many again). */
  webhookMaxAttempts: number;
  /** Delay before the 2nd attempt; it doubles each time up to `webhookBackoffMaxMs`. */
  webhookBackoffBaseMs: number;
  webhookBackoffMaxMs: number;
  /** How long one attempt may take (connect, send, answer). */
  webhookTimeoutMs: number;
  /**
   * An attempt still unreported this long after its time limit had a worker that died: the sweep
   * schedules the delivery again (`WEBHOOK_LOST_AFTER_MS`).
   */
  webhookLostAfterMs: number;
  /** How long a rotated-out secret keeps signing (default of `rotate-secret`). */
  webhookSecretGraceSec: number;
  /** Recording policy of sessions created without one (`DEFAULT_RECORDING_MODE`). */
  defaultRecordingMode: 'disabled' | 'manual' | 'always';
  /** Retention of recordings whose policy names none (`RECORDING_RETENTION_SEC`); null = kept. */
  recordingRetentionSec: number | null;
}

/** Protocols git may use for workflow sources; `ext` and `file` never (they run or read locally). */
export const GIT_PROTOCOLS = ['https', 'http', 'ssh', 'git'] as const;

function list(env: Env, name: keyof Env, fallback: string): string[] {
  const raw = env[name];
  const value = raw === undefined || raw === null || raw === '' ? fallback : String(raw);
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function gitProtocols(env: Env): string[] {
  const protocols = list(env, 'WORKFLOW_GIT_PROTOCOLS', 'https,ssh');
  for (const p of protocols)
    if (!(GIT_PROTOCOLS as readonly string[]).includes(p))
      throw new AppError(
        'config_invalid',
        `configuration variable WORKFLOW_GIT_PROTOCOLS may list only ${GIT_PROTOCOLS.join(', ')}`,
      );
  return protocols;
}

const RECORDING_MODES = ['disabled', 'manual', 'always'] as const;

function recordingMode(env: Env): Config['defaultRecordingMode'] {
  const raw = env.DEFAULT_RECORDING_MODE;
  if (raw === undefined || raw === null || raw === '') return 'disabled';
  const mode = RECORDING_MODES.find((m) => m === raw);
  if (!mode)
    throw new AppError(
      'config_invalid',
      'configuration variable DEFAULT_RECORDING_MODE must be disabled, manual or always',
    );
  return mode;
}

function int(env: Env, name: keyof Env, fallback: number, min: number, max: number): number {
  const raw = env[name];
  // Unset: absent, empty, or null (plain workerd's `fromEnvironment` of an unset variable).
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < min || value > max) {
    throw new AppError(
      'config_invalid',
      `configuration variable ${name} must be an integer between ${min} and ${max}`,
    );
  }
  return value;
}

/** `true`/`1` on, `false`/`0`/unset off; anything else is a configuration error. */
function flag(env: Env, name: keyof Env): boolean {
  const raw = env[name];
  if (raw === undefined || raw === null || raw === '') return false;
  const value = String(raw).toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new AppError('config_invalid', `configuration variable ${name} must be true or false`);
}

function url(env: Env, name: keyof Env): string | null {
  const raw = env[name];
  if (raw === undefined || raw === null || raw === '') return null;
  try {
    const parsed = new URL(String(raw));
    return parsed.href.replace(/\/$/, '');
  } catch {
    throw new AppError('config_invalid', `configuration variable ${name} must be an absolute URL`);
  }
}

const cache = new WeakMap<Env, Config>();

/** Parses the bindings once per isolate; a bad variable is a `config_invalid` error naming it. */
export function config(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed: Config = {
    edgeUrl: url(env, 'EDGE_URL'),
    devOidc: env.DEV_OIDC === '1' || env.DEV_OIDC === 'true',
    oidcIssuer: url(env, 'OIDC_ISSUER'),
    oidcAudience: env.OIDC_AUDIENCE || DEFAULT_API_AUDIENCE,
    oidcJwksUrl: url(env, 'OIDC_JWKS_URL'),
    consoleClientId: env.OIDC_CONSOLE_CLIENT_ID || DEFAULT_CONSOLE_CLIENT_ID,
    hostLostAfterMs: int(env, 'HOST_LOST_AFTER_MS', 15_000, 500, 3_600_000),
    heartbeatIntervalMs: int(env, 'HOST_HEARTBEAT_INTERVAL_MS', 5_000, 100, 600_000),
    defaultIdleTimeoutSec: int(env, 'DEFAULT_IDLE_TIMEOUT_SEC', 300, 1, 604_800),
    ticketTtlSec: int(env, 'TICKET_TTL_SEC', 60, 5, 60),
    maxSessionsPerUser: int(env, 'MAX_SESSIONS_PER_USER', 10, 1, 100_000),
    devRedirectOrigins: (env.DEV_OIDC_REDIRECT_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    mcpBridgeUrl: url(env, 'MCP_BRIDGE_URL'),
    workflowWorkerClientIds: list(env, 'WORKFLOW_WORKER_CLIENT_IDS', 'workflow-worker'),
    workflowGitProtocols: gitProtocols(env),
    workflowMaxActiveRuns: int(env, 'WORKFLOW_MAX_ACTIVE_RUNS', 16, 1, 100_000),
    workflowMaxActiveRunsPerOwner: int(env, 'WORKFLOW_MAX_ACTIVE_RUNS_PER_OWNER', 8, 1, 100_000),
    workflowLeaseMs: int(env, 'WORKFLOW_LEASE_MS', 30_000, 1_000, 600_000),
    workflowSourceWaitMs: int(env, 'WORKFLOW_SOURCE_WAIT_MS', 60_000, 1_000, 300_000),
    webhookAllowPrivateTargets: flag(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS'),
    webhookMaxAttempts: int(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
    webhookBackoffBaseMs: int(env, 'WEBHOOK_BACKOFF_BASE_MS', 10_000, 10, 86_400_000),
    webhookBackoffMaxMs: int(env, 'WEBHOOK_BACKOFF_MAX_MS', 3_600_000, 10, 604_800_000),
    webhookTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    webhookLostAfterMs: int(env, 'WEBHOOK_LOST_AFTER_MS', 60_000, 1_000, 86_400_000),
    webhookSecretGraceSec: int(env, 'WEBHOOK_SECRET_GRACE_SEC', 86_400, 0, 604_800),
    defaultRecordingMode: recordingMode(env),
    recordingRetentionSec:
      env.RECORDING_RETENTION_SEC === undefined ||
      env.RECORDING_RETENTION_SEC === null ||
      env.RECORDING_RETENTION_SEC === ''
        ? null
        : int(env, 'RECORDING_RETENTION_SEC', 0, 1, 2_147_483_647),
  };
  cache.set(env, parsed);
  return parsed;
}

/** The edge's public origin: the configured `EDGE_URL`, else the origin the request came in on. */
export function edgeOrigin(cfg: Config, requestUrl: string): string {
  return cfg.edgeUrl ?? new URL(requestUrl).origin;
}

/** Issuer of the built-in development OIDC provider. */
export function devIssuer(cfg: Config, requestUrl: string): string {
  return `${edgeOrigin(cfg, requestUrl)}${DEV_OIDC_PATH}`;
}

/** The issuer whose tokens this API accepts. */
export function apiIssuer(cfg: Config, requestUrl: string): string {
  if (cfg.oidcIssuer) return cfg.oidcIssuer;
  if (cfg.devOidc) return devIssuer(cfg, requestUrl);
  throw new AppError(
    'config_invalid',
    'no token issuer configured: set OIDC_ISSUER (or DEV_OIDC=1 for local use)',
  );
}
