/** The recording worker's settings (environment), parsed once; `--help` prints them. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VideoCodec } from './encode/webm-writer.ts';

export interface WorkerConfig {
  readonly edgeUrl: string;
  readonly fps: number;
  readonly codec: VideoCodec;
  readonly kbps: number;
  readonly partMs: number;
  readonly dir: string;
  /** The relay to dial instead of the ticket's URL (the host's TLS port on loopback), and its pin. */
  readonly relay: { readonly url: string; readonly certSha256: string | null } | undefined;
}

export const CONFIG_HELP = `recording-worker: records one BrowserPane session segment (or builds one export).
Started by the host agent, which writes the job (JSON, one line) and renewed tokens to its stdin.

Environment:
  EDGE_URL              the edge's origin (required)
  RECORDING_FPS         most pictures per second written (default 15; idle pages write none)
  RECORDING_CODEC       vp8 | vp9 (default vp8, see test/bench/results/recording.json)
  RECORDING_KBPS        most kbit/s a busy picture may take (default 1000): a ceiling, as the
                        encoder works at constant quality and still or typing pages cost far less
  RECORDING_PART_SEC    upload what was recorded every this many seconds (default 2): a killed
                        worker loses at most about this much
  RECORDING_DIR         local scratch directory (default: the system temp dir)
  RECORDING_RELAY_URL   the relay to dial instead of the ticket's relay_url (the host agent sets its
                        own TLS port on loopback: the published URL may be a browser-only ws:// port)
  RECORDING_RELAY_CERT_SHA256  hex SHA-256 of that relay's certificate, pinned (set with the URL)
`;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return v;
}

export function parseWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const edgeUrl = env.EDGE_URL;
  if (!edgeUrl || !/^https?:\/\//.test(edgeUrl))
    throw new ConfigError('EDGE_URL must be the http(s) origin of the edge');
  const codec = (env.RECORDING_CODEC || 'vp8') as VideoCodec;
  if (codec !== 'vp8' && codec !== 'vp9')
    throw new ConfigError(`RECORDING_CODEC must be vp8 or vp9, got "${env.RECORDING_CODEC}"`);
  return {
    edgeUrl,
    fps: int(env, 'RECORDING_FPS', 15, 1, 60),
    codec,
    kbps: int(env, 'RECORDING_KBPS', 1000, 50, 20_000),
    partMs: int(env, 'RECORDING_PART_SEC', 2, 1, 60) * 1000,
    dir: env.RECORDING_DIR || join(tmpdir(), 'browserpane-recordings'),
    relay: relayOverride(env),
  };
}

function relayOverride(env: NodeJS.ProcessEnv): WorkerConfig['relay'] {
  const url = env.RECORDING_RELAY_URL;
  if (!url) return undefined;
  if (!/^https:\/\//.test(url))
    throw new ConfigError('RECORDING_RELAY_URL must be the https URL of the relay (WebTransport)');
  const pin = env.RECORDING_RELAY_CERT_SHA256 || null;
  if (pin !== null && !/^[0-9a-f]{64}$/i.test(pin))
    throw new ConfigError('RECORDING_RELAY_CERT_SHA256 must be 64 hex digits');
  return { url, certSha256: pin };
}
