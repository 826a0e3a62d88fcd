/**
 * Connection strings: what the lean client needs from a `postgres://` URL (cached per isolate),
 * plus what it learns about the server behind it (pipelining, SCRAM keys).
 */
import { startupMessage } from './frontend-messages.ts';

export interface WireConfig {
  hostname: string;
  port: number;
  user: string;
  /** Never logged or put in messages. */
  password: string;
  database: string;
  /** Encoded StartupMessage (computed once per connection string). */
  startup: Uint8Array;
  /**
   * The server let the last connection in without a password exchange (trust; PgBouncer or
   * Hyperdrive in front): send the startup and the statement in one write. Reset when a pipelined
   * attempt meets a password request or a startup error (then nothing ran; it is retried).
   */
  pipeline: boolean;
  /** SCRAM keys derived from the password for the server's salt and iteration count (PBKDF2 once). */
  scram?: { salt: string; iterations: number; keys: ScramKeys };
}

export interface ScramKeys {
  clientKey: Uint8Array;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
}

/** Query parameters this client understands; anything else is left to postgres.js. */
const STARTUP_PARAMS = new Set(['application_name', 'options']);
const configs = new Map<string, WireConfig | null>();

/**
 * What the lean client needs from a `postgres://` URL, or null when the URL asks for something it
 * does not do (TLS — any sslmode but `disable` —, unix sockets, several hosts, driver options).
 * Cached per isolate.
 */
export function wireConfig(url: string): WireConfig | null {
  const hit = configs.get(url);
  if (hit !== undefined) return hit;
  let parsed: WireConfig | null;
  try {
    parsed = parse(url);
  } catch {
    parsed = null; // e.g. a malformed %-escape: leave it to postgres.js, which reports it
  }
  if (configs.size > 32) configs.clear();
  configs.set(url, parsed);
  return parsed;
}

function parse(raw: string): WireConfig | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return null;
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!hostname || hostname.includes(',') || hostname.includes('%') || hostname.includes('/'))
    return null;
  const port = url.port ? Number(url.port) : 5432;
  const user = decodeURIComponent(url.username);
  if (!user || !Number.isInteger(port) || port <= 0 || port > 65535) return null;
  const params: [string, string][] = [];
  for (const [key, value] of url.searchParams) {
    if (key === 'sslmode' && value === 'disable') continue;
    if (!STARTUP_PARAMS.has(key)) return null;
    params.push([key, value]);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || user;
  const startup: [string, string][] = [
    ['user', user],
    ['database', database],
    ['client_encoding', 'UTF8'],
    ...(params.some(([k]) => k === 'application_name')
      ? []
      : ([['application_name', 'browserpane-edge']] as [string, string][])),
    ...params,
  ];
  return {
    hostname,
    port,
    user,
    password: decodeURIComponent(url.password),
    database,
    startup: startupMessage(startup),
    pipeline: false,
  };
}
