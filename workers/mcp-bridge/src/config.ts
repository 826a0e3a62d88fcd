import { BridgeError } from './errors.ts';

/** Everything the bridge needs, parsed once at start (see README.md for the variables). */
export interface BridgeConfig {
  /** The edge (BrowserPane control plane), e.g. `http://127.0.0.1:8787`, without trailing slash. */
  readonly apiUrl: string;
  /** Client credentials of the bridge's service principal. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Token endpoint; null = the `token_endpoint` the edge names in `/auth-config.json`. */
  readonly tokenUrl: string | null;
  /** `audience` sent with the client-credentials grant (some IdPs need it); null = none. */
  readonly audience: string | null;
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  /** Host header values accepted (DNS-rebinding guard); empty = this listener's own addresses. */
  readonly allowedHosts: readonly string[];
  /** Origins allowed to call `/control-session` and `/health` from a browser (the console). */
  readonly allowedOrigins: readonly string[];
  /** Extra wait before each tool call while people are watching the session. */
  readonly supervisedDelayMs: number;
  /** How often the session status (owner, watchers) is refreshed in the background. */
  readonly statusPollMs: number;
  /** Display size asked for when the bridge adopts a session nobody is watching; null = none. */
  readonly viewport: { width: number; height: number } | null;
  /** Optional operator token: its holder may use every session delegated to the bridge. */
  readonly authToken: string | null;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | null {
  const v = env[name]?.trim();
  return v ? v : null;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new BridgeError('config_invalid', `${name} must be an integer between ${min} and ${max}`);
  }
  return n;
}

function url(name: string, value: string | null): string | null {
  if (value === null) return null;
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
    return parsed.href.replace(/\/+$/, '');
  } catch {
    throw new BridgeError('config_invalid', `${name} must be an absolute http(s) URL`);
  }
}

function list(env: Env, name: string): string[] {
  return (str(env, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `1600x900` → `{ width: 1600, height: 900 }` (within what the edge accepts). */
export function parseViewport(raw: string): { width: number; height: number } {
  const m = /^(\d{3,4})\s*[xX×]\s*(\d{3,4})$/.exec(raw.trim());
  const width = Number(m?.[1]);
  const height = Number(m?.[2]);
  if (!m || width < 320 || width > 7680 || height < 200 || height > 4320) {
    throw new BridgeError(
      'config_invalid',
      'MCP_BRIDGE_VIEWPORT must look like 1600x900 (320-7680 × 200-4320)',
    );
  }
  return { width, height };
}

/** Parses the bridge's environment; a bad value is a `config_invalid` error naming it. */
export function readConfig(env: Env = process.env): BridgeConfig {
  const apiUrl = url('BROWSERPANE_API_URL', str(env, 'BROWSERPANE_API_URL'));
  if (!apiUrl) throw new BridgeError('config_invalid', 'BROWSERPANE_API_URL is required');
  const clientSecret = str(env, 'MCP_BRIDGE_CLIENT_SECRET');
  if (!clientSecret)
    throw new BridgeError('config_invalid', 'MCP_BRIDGE_CLIENT_SECRET is required');
  const level = str(env, 'MCP_BRIDGE_LOG_LEVEL') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    throw new BridgeError(
      'config_invalid',
      'MCP_BRIDGE_LOG_LEVEL must be debug, info, warn or error',
    );
  }
  const viewport = str(env, 'MCP_BRIDGE_VIEWPORT');
  const origins = list(env, 'MCP_BRIDGE_ALLOWED_ORIGINS');
  return {
    apiUrl,
    clientId: str(env, 'MCP_BRIDGE_CLIENT_ID') ?? 'mcp-bridge',
    clientSecret,
    tokenUrl: url('MCP_BRIDGE_TOKEN_URL', str(env, 'MCP_BRIDGE_TOKEN_URL')),
    audience: str(env, 'MCP_BRIDGE_AUDIENCE'),
    host: str(env, 'MCP_BRIDGE_HOST') ?? '127.0.0.1',
    port: int(env, 'MCP_BRIDGE_PORT', 8931, 0, 65535),
    allowedHosts: list(env, 'MCP_BRIDGE_ALLOWED_HOSTS'),
    allowedOrigins: origins.length > 0 ? origins : [new URL(apiUrl).origin],
    supervisedDelayMs: int(env, 'MCP_BRIDGE_SUPERVISED_DELAY_MS', 1500, 0, 60_000),
    statusPollMs: int(env, 'MCP_BRIDGE_STATUS_POLL_MS', 2000, 100, 60_000),
    viewport: viewport ? parseViewport(viewport) : null,
    authToken: str(env, 'MCP_BRIDGE_AUTH_TOKEN'),
    logLevel: level as BridgeConfig['logLevel'],
  };
}

/** A config for code that starts the bridge as a library (tests, the local stack). */
export function bridgeConfig(
  fields: Pick<BridgeConfig, 'apiUrl' | 'clientSecret'> & Partial<BridgeConfig>,
): BridgeConfig {
  return {
    clientId: 'mcp-bridge',
    tokenUrl: null,
    audience: null,
    host: '127.0.0.1',
    port: 0,
    allowedHosts: [],
    allowedOrigins: [new URL(fields.apiUrl).origin],
    supervisedDelayMs: 1500,
    statusPollMs: 2000,
    viewport: null,
    authToken: null,
    logLevel: 'info',
    ...fields,
    apiUrl: fields.apiUrl.replace(/\/+$/, ''),
  };
}
