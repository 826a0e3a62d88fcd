// One typed configuration, read from the environment once at boot.

import { existsSync } from 'node:fs';
import { type LogLevel, parseLogLevel } from './protocol/log.ts';
import { clamp, type Env, envFlag, envPositiveInt, envString } from './util/env.ts';

export const VENDORS = ['browserbase', 'browser-use', 'local', 'browserpane', 'cdp'] as const;
export type VendorName = (typeof VENDORS)[number];

export const DEFAULT_SLICE_DEADLINE_MS = 120_000;
export const DEFAULT_MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024;

export interface RecordingConfig {
  uploadUrl: string;
  secret: string;
  runId: string;
  fps: number;
  quality: number;
  rrweb: boolean;
  video: boolean;
  maxEvents: number;
  maskAllInputs: boolean;
  maskTextSelector: string | null;
  blockSelector: string | null;
}

export interface RuntimeConfig {
  vendor: VendorName;
  logLevel: LogLevel;
  logLevelWarning: string | undefined;
  artifactsDir: string | null;
  sliceDeadlineMs: number;
  downloadExtensions: string[] | null;
  maxDownloadBytes: number;
  allowPrivateDownloadIp: boolean;
  local: { headless: boolean; executablePath: string | undefined; channel: string | undefined };
  browserbase: {
    apiUrl: string;
    apiKey: string | null;
    projectId: string | null;
    advancedStealth: boolean;
    proxies: boolean;
  };
  browserUse: {
    apiUrl: string;
    apiKey: string | null;
    profileId: string | null;
    /** undefined = not sent, null = sent as JSON null (proxy off). */
    proxyCountry: string | null | undefined;
    timeoutMin: number | null;
  };
  browserpane: BrowserPaneConfig;
  /** The `cdp` vendor: a browser reached at a given CDP endpoint. */
  cdp: {
    url: string | null;
    sessionId: string | null;
    liveUrl: string | null;
    /** `WB_BROWSER_CDP_DOWNLOADS=host`: downloads are asked of the starter (host-downloads.ts). */
    downloadsFromHost: boolean;
  };
  relay: { apiKey: string | null; url: string | null };
  /** Null when recording is off; `recordingNote` says why. */
  recording: RecordingConfig | null;
  recordingNote: string | null;
}

/** The `browserpane` vendor: a BrowserPane edge and how to authenticate to it. */
export interface BrowserPaneConfig {
  /** The edge (control plane API and console), without trailing slash. */
  apiUrl: string | null;
  /** A ready OIDC bearer token (a person's or a service principal's). */
  token: string | null;
  /** Or client credentials of a service principal. */
  clientId: string | null;
  clientSecret: string | null;
  /** Token endpoint for client credentials; null = the edge's `/auth-config.json`. */
  tokenUrl: string | null;
  /** A session to reuse when the block names no `profile_id`. */
  sessionId: string | null;
  /** Where people open the live view; null = the edge itself (it serves the console). */
  consoleUrl: string | null;
  /** Display size of sessions this runtime creates; null = the edge's default. */
  viewport: { width: number; height: number } | null;
  /** How long to wait for a session's browser to be running (queued or starting). */
  startTimeoutMs: number;
  /** `idle_timeout_sec` of sessions this runtime creates; null = the edge's default. */
  idleTimeoutSec: number | null;
}

export class ConfigError extends Error {}

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export function readConfig(env: Env = process.env): RuntimeConfig {
  const vendorRaw = (env.WB_BROWSER_VENDOR ?? '').trim().toLowerCase() || 'browserbase';
  if (!(VENDORS as readonly string[]).includes(vendorRaw)) {
    throw new ConfigError(
      `WB_BROWSER_VENDOR=${JSON.stringify(env.WB_BROWSER_VENDOR)} is not a known vendor; use one of: ${VENDORS.join(', ')}`,
    );
  }
  const { level, warning } = parseLogLevel(env.WB_LOG_LEVEL);
  const proxy = env.BROWSER_USE_PROXY_COUNTRY;
  const recording = readRecording(env);
  return {
    vendor: vendorRaw as VendorName,
    logLevel: level,
    logLevelWarning: warning,
    artifactsDir: envString(env.WB_ARTIFACTS_DIR),
    sliceDeadlineMs: envPositiveInt(env.WB_SLICE_DEADLINE_MS, DEFAULT_SLICE_DEADLINE_MS),
    downloadExtensions: parseExtensions(env.WB_BROWSER_DOWNLOAD_EXTENSIONS),
    maxDownloadBytes: envPositiveInt(env.WB_MAX_DOWNLOAD_BYTES, DEFAULT_MAX_DOWNLOAD_BYTES),
    allowPrivateDownloadIp: envFlag(env.WB_ALLOW_PRIVATE_DOWNLOAD_IP, false),
    local: {
      headless: envFlag(env.WB_BROWSER_LOCAL_HEADLESS, true),
      executablePath:
        envString(env.WB_BROWSER_LOCAL_EXECUTABLE_PATH) ??
        (envString(env.WB_BROWSER_LOCAL_CHANNEL) === null && existsSync(DEFAULT_CHROMIUM)
          ? DEFAULT_CHROMIUM
          : undefined),
      channel: envString(env.WB_BROWSER_LOCAL_CHANNEL) ?? undefined,
    },
    browserbase: {
      apiUrl: trimSlash(envString(env.BROWSERBASE_API_URL) ?? 'https://api.browserbase.com'),
      apiKey: envString(env.BROWSERBASE_API_KEY),
      projectId: envString(env.BROWSERBASE_PROJECT_ID),
      advancedStealth: envFlag(env.BROWSERBASE_ADVANCED_STEALTH, false),
      proxies: envFlag(env.BROWSERBASE_PROXIES, false),
    },
    browserUse: {
      apiUrl: trimSlash(envString(env.BROWSER_USE_API_URL) ?? 'https://api.browser-use.com/api/v3'),
      apiKey: envString(env.BROWSER_USE_API_KEY),
      profileId: envString(env.BROWSER_USE_PROFILE_ID),
      proxyCountry:
        envString(proxy) === null ? undefined : proxy?.trim() === 'null' ? null : proxy?.trim(),
      timeoutMin: envPositiveInt(env.BROWSER_USE_TIMEOUT_MIN, 0) || null,
    },
    browserpane: readBrowserPane(env),
    cdp: {
      url: envString(env.WB_BROWSER_CDP_URL),
      sessionId: envString(env.WB_BROWSER_CDP_SESSION_ID),
      liveUrl: envString(env.WB_BROWSER_CDP_LIVE_URL),
      downloadsFromHost: envString(env.WB_BROWSER_CDP_DOWNLOADS) === 'host',
    },
    relay: {
      apiKey: envString(env.PARACORD_RELAY_API_KEY),
      url: envString(env.PARACORD_RELAY_URL),
    },
    recording: recording.config,
    recordingNote: recording.note,
  };
}

function readBrowserPane(env: Env): BrowserPaneConfig {
  const url = (name: string) => {
    const v = envString(env[name]);
    return v === null ? null : trimSlash(v);
  };
  const viewport = /^(\d{3,4})\s*[xX×]\s*(\d{3,4})$/.exec(
    envString(env.BROWSERPANE_VIEWPORT) ?? '',
  );
  return {
    apiUrl: url('BROWSERPANE_API_URL'),
    token: envString(env.BROWSERPANE_TOKEN),
    clientId: envString(env.BROWSERPANE_CLIENT_ID),
    clientSecret: envString(env.BROWSERPANE_CLIENT_SECRET),
    tokenUrl: url('BROWSERPANE_TOKEN_URL'),
    sessionId: envString(env.BROWSERPANE_SESSION_ID),
    consoleUrl: url('BROWSERPANE_CONSOLE_URL'),
    viewport: viewport ? { width: Number(viewport[1]), height: Number(viewport[2]) } : null,
    startTimeoutMs: envPositiveInt(env.BROWSERPANE_START_TIMEOUT_MS, 90_000),
    idleTimeoutSec: envPositiveInt(env.BROWSERPANE_IDLE_TIMEOUT_SEC, 0) || null,
  };
}

/** `WB_BROWSER_DOWNLOAD_EXTENSIONS`: comma list, case-insensitive, leading dots ignored. */
export function parseExtensions(raw: string | undefined): string[] | null {
  const list = (raw ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase().replace(/^\.+/, ''))
    .filter((item) => item !== '');
  return list.length > 0 ? list : null;
}

function readRecording(env: Env): { config: RecordingConfig | null; note: string | null } {
  const uploadUrl = envString(env.WB_RECORDING_UPLOAD_URL);
  if (!uploadUrl) return { config: null, note: null };
  const secret = envString(env.WB_RECORDING_UPLOAD_SECRET);
  if (!secret) {
    return {
      config: null,
      note: 'WB_RECORDING_UPLOAD_URL is set but WB_RECORDING_UPLOAD_SECRET is not; recording disabled',
    };
  }
  const rrweb = env.WB_RECORDING_RRWEB?.trim() !== '0';
  const video = env.WB_RECORDING_VIDEO?.trim() !== '0';
  if (!rrweb && !video) {
    return { config: null, note: 'both recording kinds are disabled; recording off' };
  }
  const block = [env.WB_RECORDING_BLOCK_SELECTOR, env.WB_RECORDING_IGNORE_SELECTOR]
    .map((item) => envString(item))
    .filter((item): item is string => item !== null);
  return {
    config: {
      uploadUrl,
      secret,
      runId:
        envString(env.WB_RECORDING_RUN_ID) ??
        envString(env.TRIGGER_RUN_ID) ??
        `wb-${crypto.randomUUID()}`,
      fps: clamp(envPositiveInt(env.WB_RECORDING_SCREENCAST_FPS, 5), 1, 30),
      quality: clamp(envPositiveInt(env.WB_RECORDING_SCREENCAST_QUALITY, 60), 10, 95),
      rrweb,
      video,
      maxEvents: envPositiveInt(env.WB_RECORDING_RRWEB_MAX_EVENTS, 50_000),
      maskAllInputs: env.WB_RECORDING_MASK_ALL_INPUTS?.trim() !== '0',
      maskTextSelector: envString(env.WB_RECORDING_MASK_TEXT_SELECTOR),
      blockSelector: block.length > 0 ? block.join(',') : null,
    },
    note: null,
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
