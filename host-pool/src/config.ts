import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSlotCount } from './runtime/slot-limiter.ts';
import {
  DEFAULT_SANDBOX_UID_BASE,
  parseCidrList,
  parsePortList,
  SANDBOX_UID_RANGE,
  type SandboxSettings,
} from './sandbox/settings.ts';

/** The host agent's configuration, parsed once at start from the environment (and flags). */
export interface HostConfig {
  readonly edgeUrl: string;
  readonly enrollmentToken: string;
  readonly name: string;
  readonly region: string;
  readonly coordinates: { lat: number; lon: number } | undefined;
  readonly relay: {
    readonly host: string;
    readonly port: number;
    /** What clients dial (published to the edge). */
    readonly publicUrl: string;
    /** Loopback plain-WebSocket port for local development; undefined = off. */
    readonly plainPort: number | undefined;
    readonly certPath: string | undefined;
    readonly keyPath: string | undefined;
    /**
     * Whether clients pin the certificate by hash (`cert_sha256`): `auto` = only the agent's own
     * development certificate; `always` = RELAY_CERT too (it must be valid ≤ 14 days); `never`.
     */
    readonly certPin: 'auto' | 'always' | 'never';
  };
  readonly dataDir: string;
  readonly maxSessions: number;
  readonly chromiumPath: string;
  readonly tileSize: number;
  /** How sessions are confined (SECURITY.md). */
  readonly sandbox: SandboxSettings;
  /** Portable profiles: saved to the edge's artifact store, restored on whichever host runs next. */
  readonly profiles: {
    readonly enabled: boolean;
    /** Saves while a session runs, every this many ms (0: only when it stops). */
    readonly saveIntervalMs: number;
    /** Largest profile (unpacked content) restored. */
    readonly maxUnpackedBytes: number;
  };
  /** Runtimes kept started ahead for new sessions without a stored profile (the warm pool). */
  readonly warmRuntimes: number;
  /** Bearer token `GET /metrics` needs; undefined: metrics are off. */
  readonly metricsToken: string | undefined;
  /** The recording worker's launcher (one process per recording or export); undefined = none. */
  readonly recordingWorker: string | undefined;
}

/** The recording worker of this checkout (workers/recording-worker), when it is there. */
function bundledRecordingWorker(): string | undefined {
  const path = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    'workers',
    'recording-worker',
    'bin',
    'recording-worker.js',
  );
  return existsSync(path) ? path : undefined;
}

export const CONFIG_HELP = `BrowserPane host agent: runs browser sessions for the edge and relays them to clients.

Environment (flags of the same name in kebab case override, e.g. --relay-port 4443):
  EDGE_URL                 edge base URL, e.g. http://127.0.0.1:8787           (required)
  HOST_ENROLLMENT_TOKEN    enrolment token configured on the edge              (required, secret)
  HOST_NAME                stable name of this host            (default: the machine's hostname)
  HOST_REGION              region label for placement                          (default: local)
  HOST_LAT, HOST_LON       coordinates for nearest-host placement              (optional)
  RELAY_HOST               address the relay binds                             (default: 0.0.0.0)
  RELAY_PORT               relay TLS port (TCP; UDP too when HTTP/3 is installed) (default: 4443)
  RELAY_PUBLIC_URL         URL clients dial                  (default: https://127.0.0.1:<port>)
  RELAY_PLAIN_PORT         loopback ws:// port for local development           (default: off)
  RELAY_CERT, RELAY_KEY    PEM files, reloaded when they change; unset: a 13-day dev certificate,
                           renewed while running (6 days before it expires)
  RELAY_CERT_PIN           1: clients pin RELAY_CERT by hash (ECDSA, valid ≤ 14 days); 0: never pin
                           (default: pin only the agent's own dev certificate)
  HOST_DATA_DIR            profiles, downloads, uploads, certs, and agent/: this host's enrolment
                           (its name is bound to the credential kept there) and the ticket ids
                           already used (refused again after a restart) (default: .browserpane/host)
  HOST_MAX_SESSIONS        runtime slots  (default: (memory − 1 GiB) / 450 MiB, at least 1; memory =
                           the container's limit when smaller than the machine's)
  CHROMIUM_PATH            Chromium binary                           (default: /usr/bin/chromium)
  TILE_SIZE                tile edge in pixels, 16–256                         (default: 64)
  HOST_WARM_RUNTIMES       runtimes (Xvfb + Chromium on a blank profile, each in a sandbox of its own
                           for a user id of its own) kept started ahead, so a new session shows its
                           first picture at once; a runtime is used by one session only, then a new
                           one is started. Sessions that restore a stored profile start cold. They
                           use memory like sessions but do not count against HOST_MAX_SESSIONS
                           (0 = off)                                             (default: 1)
  HOST_METRICS_TOKEN       bearer token for GET /metrics (Prometheus text format) on the relay's
                           ports; unset: /metrics answers 404        (optional, secret, ≥ 16 chars)
  HOST_SANDBOX             on: every session runs in a sandbox of its own (its own user when the
                           agent is root, a filesystem view, a network namespace that reaches the
                           internet only, Chromium's own sandbox and policy; needs bubblewrap,
                           passt, iproute2); off: sessions run as the agent, unconfined, and a
                           warning is logged for each — only where something else isolates them
                                                                                (default: on)
  HOST_SANDBOX_UID_BASE    first user id for sessions of a root agent; each running session holds
                           one of BASE…BASE+65535, claimed machine-wide        (default: 1900000000)
  HOST_SANDBOX_ALLOW_PORTS  TCP ports of the host's loopback sessions may reach, e.g. 8080,9000-9010
                           (the browser opens http://127.0.0.1:<port>)          (default: none)
  HOST_SANDBOX_ALLOW_NETS  IPv4 networks sessions may reach although private, link-local or the
                           host's own address, e.g. 10.20.0.0/16,192.0.2.7     (default: none)
  HOST_PROFILES            on: each session's browser profile (without caches) and downloads are
                           saved, encrypted with the session's key, to the edge's artifact store
                           when it stops and periodically, and restored on whichever host starts
                           it next; off: profiles stay on this host's disk          (default: on)
  HOST_PROFILE_SAVE_INTERVAL_SEC  save a running session's profile this often; 0: only when it
                           stops (a host lost mid-session loses what changed since) (default: 300)
  HOST_PROFILE_MAX_MB      largest profile restored (unpacked), MiB; larger archives are refused
                                                                               (default: 2048)
  RECORDING_WORKER         the recording worker launcher started per recording, or "off" (then the
                           edge fails this host's recordings at once)
                           (default: workers/recording-worker/bin/recording-worker.js of this checkout)
                           Its own settings (RECORDING_FPS, RECORDING_CODEC, …) pass through the
                           environment: recording-worker --help
  BROWSERPANE_LOG_LEVEL    debug | info | warn | error                         (default: info)
`;

const CERT_PIN_VALUES = new Map<string, HostConfig['relay']['certPin']>([
  ['', 'auto'],
  ['auto', 'auto'],
  ['1', 'always'],
  ['true', 'always'],
  ['0', 'never'],
  ['false', 'never'],
]);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid host configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Parses env + argv into a frozen config, listing every problem at once. */
export function parseHostConfig(
  env: NodeJS.ProcessEnv = process.env,
  argv: string[] = process.argv.slice(2),
): HostConfig {
  const flags = parseFlags(argv);
  const get = (name: string): string | undefined => flags.get(name) ?? env[name] ?? undefined;
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      problems.push(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
    return n;
  };
  const edgeUrl = get('EDGE_URL') ?? '';
  if (!/^https?:\/\/[^/]+/.test(edgeUrl)) problems.push('EDGE_URL must be an http(s) URL');
  const enrollmentToken = get('HOST_ENROLLMENT_TOKEN') ?? '';
  if (enrollmentToken.length < 8)
    problems.push('HOST_ENROLLMENT_TOKEN must be set (at least 8 characters)');
  const port = int('RELAY_PORT', 4443, 0, 65535);
  const plainRaw = get('RELAY_PLAIN_PORT');
  const plainPort = plainRaw ? int('RELAY_PLAIN_PORT', 0, 0, 65535) : undefined;
  const lat = get('HOST_LAT');
  const lon = get('HOST_LON');
  let coordinates: HostConfig['coordinates'];
  if (lat !== undefined || lon !== undefined) {
    const la = Number(lat);
    const lo = Number(lon);
    if (!(Math.abs(la) <= 90 && Math.abs(lo) <= 180))
      problems.push('HOST_LAT and HOST_LON must both be valid coordinates');
    else coordinates = { lat: la, lon: lo };
  }
  const certPath = get('RELAY_CERT');
  const keyPath = get('RELAY_KEY');
  if (Boolean(certPath) !== Boolean(keyPath)) problems.push('RELAY_CERT and RELAY_KEY go together');
  const pinRaw = (get('RELAY_CERT_PIN') ?? '').trim().toLowerCase();
  const certPin = CERT_PIN_VALUES.get(pinRaw);
  if (!certPin) problems.push(`RELAY_CERT_PIN must be 1, 0 or unset, got "${pinRaw}"`);
  const sandbox = parseSandbox(get, int, problems);
  const profilesRaw = (get('HOST_PROFILES') ?? '').trim().toLowerCase();
  const profilesOn = SANDBOX_MODES.get(profilesRaw);
  if (profilesOn === undefined)
    problems.push(`HOST_PROFILES must be on or off, got "${profilesRaw}"`);
  const metricsToken = get('HOST_METRICS_TOKEN') || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16)
    problems.push('HOST_METRICS_TOKEN must be at least 16 characters');
  const config: HostConfig = {
    edgeUrl: edgeUrl.replace(/\/+$/, ''),
    enrollmentToken,
    name: get('HOST_NAME') || hostname(),
    region: get('HOST_REGION') || 'local',
    coordinates,
    relay: {
      host: get('RELAY_HOST') || '0.0.0.0',
      port,
      publicUrl: (get('RELAY_PUBLIC_URL') || `https://127.0.0.1:${port}`).replace(/\/+$/, ''),
      plainPort,
      certPath,
      keyPath,
      certPin: certPin ?? 'auto',
    },
    dataDir: resolve(get('HOST_DATA_DIR') || '.browserpane/host'),
    maxSessions: int('HOST_MAX_SESSIONS', defaultSlotCount(), 1, 1000),
    chromiumPath: get('CHROMIUM_PATH') || '/usr/bin/chromium',
    tileSize: int('TILE_SIZE', 64, 16, 256),
    sandbox,
    profiles: {
      enabled: profilesOn ?? true,
      saveIntervalMs: int('HOST_PROFILE_SAVE_INTERVAL_SEC', 300, 0, 86_400) * 1000,
      maxUnpackedBytes: int('HOST_PROFILE_MAX_MB', 2048, 1, 1_048_576) * 1024 * 1024,
    },
    warmRuntimes: int('HOST_WARM_RUNTIMES', 1, 0, 16),
    metricsToken,
    recordingWorker: recordingWorkerPath(get('RECORDING_WORKER'), problems),
  };
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config);
}

const SANDBOX_MODES = new Map([
  ['', true],
  ['on', true],
  ['1', true],
  ['true', true],
  ['off', false],
  ['0', false],
  ['false', false],
]);

function parseSandbox(
  get: (name: string) => string | undefined,
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): SandboxSettings {
  const modeRaw = (get('HOST_SANDBOX') ?? '').trim().toLowerCase();
  const enabled = SANDBOX_MODES.get(modeRaw);
  if (enabled === undefined) problems.push(`HOST_SANDBOX must be on or off, got "${modeRaw}"`);
  const list = <T>(name: string, parse: (raw: string) => T[]): T[] => {
    try {
      return parse(get(name) ?? '');
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
      return [];
    }
  };
  return {
    enabled: enabled ?? true,
    uidBase: int(
      'HOST_SANDBOX_UID_BASE',
      DEFAULT_SANDBOX_UID_BASE,
      1000,
      0xffff_fffe - SANDBOX_UID_RANGE,
    ),
    allowHostPorts: list('HOST_SANDBOX_ALLOW_PORTS', parsePortList),
    allowNets: list('HOST_SANDBOX_ALLOW_NETS', parseCidrList),
  };
}

function recordingWorkerPath(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === 'off') return undefined;
  if (!raw) return bundledRecordingWorker();
  const path = resolve(raw);
  if (!existsSync(path)) problems.push(`RECORDING_WORKER: no such file ${path}`);
  return path;
}

function parseFlags(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) continue;
    const [key, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[i + 1];
    if (inline === undefined) i++;
    if (value !== undefined) out.set(key.toUpperCase().replace(/-/g, '_'), value);
  }
  return out;
}
