import {
  ROLES,
  type Role,
  SESSION_CAPABILITY_NAMES,
  type SessionCapabilityName,
} from '@browserpane/protocol';
import { CONNECTION_ROLES, SESSION_STATES } from '../db/schema/index.ts';
import {
  array,
  boolean,
  integer,
  nullable,
  number,
  object,
  oneOf,
  optional,
  type Schema,
  string,
  stringMap,
  ValidationError,
} from '../validation/schema.ts';

/** Request schemas of API v1 (mirrored in openapi/browserpane-control-v1.yaml). */

export const viewport = object({
  width: integer({ min: 320, max: 7680 }),
  height: integer({ min: 200, max: 4320 }),
});

const capabilityFields = Object.fromEntries(
  SESSION_CAPABILITY_NAMES.map((name) => [name, optional(boolean())]),
) as Record<SessionCapabilityName, ReturnType<typeof optional<boolean>>>;

const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$/;
export const REGION = string({
  min: 1,
  max: 64,
  pattern: /^[a-z0-9][a-z0-9-]*$/,
  patternHint: 'lowercase letters, digits and dashes',
});

export const createSessionBody = optional(
  object({
    viewport: optional(viewport),
    idle_timeout_sec: optional(integer({ min: 1, max: 604_800 })),
    capabilities: optional(object(capabilityFields)),
    owner_mode: optional(oneOf(['collaborative', 'exclusive'] as const)),
    video_mode: optional(oneOf(['roi', 'full', 'off'] as const)),
    labels: optional(
      stringMap({
        maxEntries: 32,
        key: string({
          min: 1,
          max: 63,
          pattern: LABEL_KEY,
          patternHint: 'a label key (letters, digits, . _ / -)',
        }),
        value: string({ max: 256 }),
      }),
    ),
    region: optional(REGION),
  }),
);

export const ROLE_NAMES = Object.keys(ROLES) as Role[];

export const accessTokenBody = optional(object({ role: optional(oneOf(ROLE_NAMES)) }));

const PRINCIPAL_ID = string({ min: 1, max: 255 });
const DISPLAY_NAME = string({ min: 1, max: 200 });

export const automationOwnerBody = object({
  principal_id: PRINCIPAL_ID,
  display_name: optional(DISPLAY_NAME),
});
export const mcpOwnerBody = optional(
  object({
    principal_id: optional(PRINCIPAL_ID),
    display_name: optional(DISPLAY_NAME),
    viewport: optional(viewport),
  }),
);

export const listSessionsQuery = object({
  limit: optional(integer({ min: 1, max: 200 })),
  cursor: optional(
    string({
      min: 36,
      max: 36,
      pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      patternHint: 'a next_cursor value',
    }),
  ),
  state: optional(oneOf(SESSION_STATES)),
});

export const CONNECTION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// --- hosts ------------------------------------------------------------------------------------

const coordinates = object({
  lat: number({ min: -90, max: 90 }),
  lon: number({ min: -180, max: 180 }),
});
const HOST_NAME = string({
  min: 1,
  max: 128,
  pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
  patternHint: 'a host name (letters, digits, . _ -)',
});
const RELAY_URL = string({
  min: 8,
  max: 2048,
  pattern: /^(https|wss?|http):\/\/[^\s]+$/,
  patternHint: 'an http(s) or ws(s) URL',
});
const CERT_SHA256 = string({
  min: 64,
  max: 64,
  pattern: /^[0-9a-fA-F]{64}$/,
  patternHint: '64 hex digits (SHA-256 of the DER certificate)',
});
/** A hash only for certificates clients pin (≤ 14 days); null or absent = a CA certificate. */
const CERT_PIN = optional(nullable(CERT_SHA256));
const ISO_TIME: Schema<string> = {
  optional: false,
  parse(value, path) {
    const s = string({ min: 10, max: 40 }).parse(value, path);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(s) || Number.isNaN(Date.parse(s))) {
      throw new ValidationError(path, 'must be an ISO 8601 date-time (e.g. 2026-01-31T12:00:00Z)');
    }
    return s;
  },
};
const UUID = string({
  min: 36,
  max: 36,
  pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  patternHint: 'a lowercase UUID',
});

export const enrollBody = object({
  name: HOST_NAME,
  region: REGION,
  coordinates: optional(coordinates),
  capacity: object({ max_sessions: integer({ min: 0, max: 10_000 }) }),
  relay_url: RELAY_URL,
  cert_sha256: CERT_PIN,
  agent_version: string({ min: 1, max: 64 }),
  host_credential: optional(string({ min: 1, max: 256 })),
});

const JSON_OBJECT: Schema<Record<string, unknown>> = {
  optional: false,
  parse(value, path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ValidationError(path, 'must be a JSON object');
    }
    return value as Record<string, unknown>;
  },
};

export const heartbeatBody = object({
  capacity: object({
    max_sessions: integer({ min: 0, max: 10_000 }),
    free_sessions: integer({ min: 0, max: 10_000 }),
  }),
  load: object({
    cpu_percent: number({ min: 0, max: 100_000 }),
    memory_available_mb: integer({ min: 0, max: 1e9 }),
  }),
  region: REGION,
  coordinates: optional(coordinates),
  relay_url: RELAY_URL,
  cert_sha256: CERT_PIN,
  runtimes: array(
    object({
      session_id: UUID,
      state: oneOf(['starting', 'running', 'restarting', 'stopped', 'failed'] as const),
      restarts: integer({ min: 0, max: 1e9 }),
      display: object({
        width: integer({ min: 1, max: 16_384 }),
        height: integer({ min: 1, max: 16_384 }),
      }),
      error: optional(string({ max: 2000 })),
    }),
    { max: 1000 },
  ),
  connections: array(
    object({
      connection_id: string({
        min: 1,
        max: 128,
        pattern: CONNECTION_ID,
        patternHint: 'a connection id (letters, digits, . _ : -)',
      }),
      session_id: UUID,
      role: oneOf(CONNECTION_ROLES),
      principal: string({ min: 1, max: 255 }),
      display_name: string({ max: 200 }),
      connected_at: ISO_TIME,
      client: optional(string({ max: 256 })),
    }),
    { max: 5000 },
  ),
  events: array(
    object({
      session_id: UUID,
      type: string({
        min: 1,
        max: 64,
        pattern: /^[a-z][a-z0-9_.]*$/,
        patternHint: 'a snake_case event type',
      }),
      at: ISO_TIME,
      data: optional(JSON_OBJECT),
    }),
    { max: 1000 },
  ),
  acked_commands: array(UUID, { max: 1000 }),
});

export const HEARTBEAT_BODY_LIMIT = 1024 * 1024;
