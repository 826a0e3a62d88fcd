/** The host contract: enrolment, heartbeat, desired state, the host registry. */

import { count, integer, jsonObject, number, text, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';
import { REGION, Viewport } from './common.ts';
import { SessionExtension } from './extensions.ts';
import { DesiredFileBinding } from './file-workspaces.ts';
import { DesiredExport, DesiredRecording } from './recordings.ts';

export const Coordinates = named(
  'Coordinates',
  z.strictObject({ lat: number(-90, 90), lon: number(-180, 180) }),
);

const HOST_NAME = () =>
  text({
    min: 1,
    max: 128,
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    hint: 'a host name (letters, digits, . _ -)',
  });
const RELAY_URL = () =>
  text({
    min: 8,
    max: 2048,
    pattern: /^(https|wss?|http):\/\/[^\s]+$/,
    hint: 'an http(s) or ws(s) URL',
  });
/** A hash only for certificates clients pin (≤ 14 days); null or absent = a CA certificate. */
const CERT_PIN = () =>
  text({
    min: 64,
    max: 64,
    pattern: /^[0-9a-fA-F]{64}$/,
    hint: '64 hex digits (SHA-256 of the DER certificate)',
  })
    .nullable()
    .optional()
    .meta({
      description:
        "SHA-256 (hex) of the relay's DER certificate when clients should pin it (a short-lived self-signed certificate); null or absent for a CA-issued certificate.",
    });

export const EnrollRequest = named(
  'EnrollRequest',
  z.strictObject({
    name: HOST_NAME().meta({ description: 'Stable host name; re-enrolling it keeps the host_id.' }),
    region: REGION(),
    coordinates: Coordinates.optional(),
    capacity: z.strictObject({ max_sessions: integer(0, 10_000) }),
    relay_url: RELAY_URL().meta({ description: 'Where clients connect (https:// or wss://).' }),
    cert_sha256: CERT_PIN(),
    agent_version: text({ min: 1, max: 64 }),
    host_credential: text({ min: 1, max: 256 }).optional().meta({
      description:
        "The credential of this name's current enrolment. Re-enrolling the name of a host that is not lost needs it (409 `host_name_taken` otherwise); a lost host's name may be re-claimed without it.",
    }),
  }),
);

export const EnrollResponse = named(
  'EnrollResponse',
  z.object({
    host_id: uuid(),
    host_credential: z
      .string()
      .meta({ description: 'Shown once; present it as the bearer token of heartbeats.' }),
    heartbeat_interval_ms: z.int(),
    lost_after_ms: z.int(),
    jwks_url: z.string().meta({ description: 'Verify connect tickets against this JWKS.' }),
    ticket_issuer: z.string().meta({ description: 'Expected `iss` of connect tickets.' }),
    ticket_audience: z.literal('browserpane-relay'),
  }),
);

export const HOST_RUNTIME_STATES = [
  'starting',
  'running',
  'restarting',
  'stopped',
  'failed',
] as const;
export const CONNECTION_ROLES = ['owner', 'viewer', 'automation', 'recorder'] as const;
export const CONNECTION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const HeartbeatRequest = named(
  'HeartbeatRequest',
  z.strictObject({
    capacity: z.strictObject({
      max_sessions: integer(0, 10_000),
      free_sessions: integer(0, 10_000),
    }),
    load: z.strictObject({
      cpu_percent: number(0, 100_000),
      memory_available_mb: integer(0, 1e9),
    }),
    region: REGION(),
    coordinates: Coordinates.optional(),
    relay_url: RELAY_URL(),
    cert_sha256: CERT_PIN(),
    runtimes: z
      .array(
        z.strictObject({
          session_id: uuid(),
          state: z.enum(HOST_RUNTIME_STATES),
          restarts: integer(0, 1e9),
          display: z.strictObject({ width: integer(1, 16_384), height: integer(1, 16_384) }),
          error: text({ max: 2000 }).optional(),
          page: z
            .strictObject({ title: text({ max: 1000 }), url: text({ max: 8192 }) })
            .optional()
            .meta({
              description:
                'The tab a person sees: its title and address (the edge keeps the title and only the host name).',
            }),
        }),
      )
      .max(1000, { error: 'must have at most 1000 items' }),
    connections: z
      .array(
        z.strictObject({
          connection_id: text({
            min: 1,
            max: 128,
            pattern: CONNECTION_ID,
            hint: 'a connection id (letters, digits, . _ : -)',
          }),
          session_id: uuid(),
          role: z.enum(CONNECTION_ROLES),
          principal: text({ min: 1, max: 255 }),
          display_name: text({ max: 200 }),
          connected_at: timestamp(),
          client: text({ max: 256 }).optional().meta({
            description: 'Free-form client description, e.g. "chromium/136 webtransport".',
          }),
        }),
      )
      .max(5000, { error: 'must have at most 5000 items' }),
    events: z
      .array(
        z.strictObject({
          session_id: uuid(),
          type: text({
            min: 1,
            max: 64,
            pattern: /^[a-z][a-z0-9_.]*$/,
            hint: 'a snake_case event type',
          }),
          at: timestamp(),
          data: jsonObject().optional(),
        }),
      )
      .max(1000, { error: 'must have at most 1000 items' }),
    acked_commands: z.array(uuid()).max(1000, { error: 'must have at most 1000 items' }),
    recorder: z
      .strictObject({
        available: z.boolean().meta({
          description:
            'A recording worker runs beside the agent (recordings and exports can be placed here).',
        }),
      })
      .optional()
      .meta({ description: 'Absent: the host records nothing (agents before recordings).' }),
  }),
  "A host's report: capacity, load, its runtimes, live connections, events and acknowledged commands.",
);

export type HeartbeatRequest = z.input<typeof HeartbeatRequest>;

export const SessionOptions = named(
  'SessionOptions',
  z.object({
    viewport: Viewport,
    capabilities: z.record(z.string(), z.boolean()),
    owner_mode: z.enum(['collaborative', 'exclusive']),
    video_mode: z.enum(['roi', 'full', 'off']),
    idle_timeout_sec: z.int(),
    labels: z.record(z.string(), z.string()),
    extensions: z.array(SessionExtension).optional().meta({
      description:
        'Approved extensions to load (fetched from `hostGetSessionExtension`, unpacked into the session directory); absent or empty: none.',
    }),
    profile_saved: z.boolean().optional().meta({
      description:
        'Whether the edge holds a saved browser profile for the session (running sessions): the host restores it before the browser starts, so such a session never takes a warm runtime. Absent: the host asks (`hostGetSessionProfile`).',
    }),
  }),
  'How the host runs a session: display size, capability switches (our names), owner mode, extensions.',
);

export type SessionOptions = z.output<typeof SessionOptions>;

export const DesiredState = named(
  'DesiredState',
  z.object({
    heartbeat_interval_ms: z.int(),
    sessions: z
      .array(
        z.object({
          session_id: uuid(),
          desired: z.enum(['running', 'stopped', 'killed']),
          grant_generation: z.int().min(0).meta({
            description:
              'Bumped each time a delegate (automation or MCP owner) is revoked. Connect tickets carry the generation they were minted under (`gen`); the host cuts automation attachments of an older generation and refuses late ones.',
          }),
          options: SessionOptions,
          file_bindings: z.array(DesiredFileBinding).optional().meta({
            description:
              "The session's active file bindings (running sessions): the host places each one's content (`GET …/file-bindings/{id}/content`) at its `mount_path` in the session's files and reports the outcome; a placed binding no longer listed is taken away.",
          }),
        }),
      )
      .meta({
        description:
          'Sessions placed on the host (`running`), being stopped, released or killed (`stopped`/`killed`, listed until the host stops reporting a runtime for them), and runtimes it reported that are no longer placed on it (`stopped`, or `killed` when the session is unknown).',
      }),
    commands: z
      .array(
        z.object({
          command_id: uuid(),
          type: z.enum(['disconnect', 'disconnect_all']),
          session_id: uuid(),
          connection_id: z.string().optional(),
        }),
      )
      .meta({
        description: 'Repeated in every answer until the host lists the id in `acked_commands`.',
      }),
    recordings: z.array(DesiredRecording).meta({
      description:
        "Recordings of this host's sessions its recording worker runs or finishes (empty when the host reports no recorder).",
    }),
    exports: z.array(DesiredExport).meta({
      description: 'Joined playback exports this host builds.',
    }),
  }),
  "The host's desired state.",
);

export type DesiredState = z.output<typeof DesiredState>;

export const Host = named(
  'Host',
  z.object({
    host_id: uuid(),
    name: z.string(),
    status: z.enum(['healthy', 'lost']),
    region: z.string(),
    coordinates: z.object({ lat: z.number(), lon: z.number() }).nullable(),
    capacity: z.object({
      max_sessions: z.int(),
      free_sessions: z.int(),
      assigned_sessions: z.int(),
    }),
    load: z.object({ cpu_percent: z.number().nullable(), memory_available_mb: z.int().nullable() }),
    relay_url: z.string(),
    cert_sha256: z.string().nullable(),
    agent_version: z.string(),
    enrolled_at: timestamp(),
    last_heartbeat_at: timestamp(),
    lost_at: timestamp().nullable(),
  }),
);

export const HostList = named('HostList', z.object({ hosts: z.array(Host) }));

export const SweepResult = named(
  'SweepResult',
  z.object({
    lost_hosts: count().meta({ description: 'Hosts newly marked lost.' }),
    idle_stopped: count().meta({ description: 'Idle sessions told to stop.' }),
    placed: count().meta({ description: 'Queued sessions placed on a host.' }),
    recordings_closed: count().meta({
      description: 'Recordings whose recorder went away, closed with what it stored.',
    }),
    recordings_expired: count().meta({ description: 'Recording files removed by retention.' }),
  }),
);
