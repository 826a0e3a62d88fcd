/** The session status snapshot (`GET …/status`, both disconnect routes). */
import { count, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';
import { PrincipalRef, Viewport } from './common.ts';
import { PlaybackSummary, RecordingMode } from './recordings.ts';
import {
  ConnectionCounts,
  EffectiveEgress,
  EgressDiagnostics,
  IdleTiming,
  NetworkIdentity,
  PresenceState,
  ProjectAdmissionDecision,
  QueueBlock,
  RuntimeResumeMode,
  RuntimeState,
  SessionState,
  StopEligibility,
} from './session-parts.ts';

const connectionFields = {
  connection_id: z.int().min(1).meta({
    description: 'The id the disconnect route takes (stable while the connection lives).',
  }),
  host_connection_id: z.string().meta({ description: "Ours: the host's own id of it." }),
  principal: z.string(),
  display_name: z.string(),
  connected_at: timestamp(),
  client: z.string().nullable(),
};

export const Connection = named(
  'SessionConnection',
  z.object({ ...connectionFields, role: z.enum(['owner', 'viewer', 'recorder']) }),
  'A browser attachment (owner, viewer or recorder client).',
);

export const AutomationConnection = named(
  'SessionAutomationConnection',
  z.object({ ...connectionFields, role: z.literal('automation') }),
  'Ours: an automation client attached through the CDP gateway.',
);

export const SessionStatus = named(
  'SessionStatus',
  z.object({
    state: SessionState,
    project_id: uuid().nullable(),
    project: z
      .object({ id: uuid(), name: z.string(), state: z.enum(['active', 'archived']) })
      .nullable(),
    admission: ProjectAdmissionDecision,
    runtime_state: RuntimeState,
    runtime_resume_mode: RuntimeResumeMode,
    presence_state: PresenceState,
    connection_counts: ConnectionCounts,
    stop_eligibility: StopEligibility,
    idle: IdleTiming,
    connections: z.array(Connection),
    browser_clients: count(),
    viewer_clients: count(),
    recorder_clients: count(),
    max_viewers: count().meta({ description: 'No viewer cap yet: the count of viewers plus 0.' }),
    viewer_slots_remaining: count(),
    exclusive_browser_owner: z.boolean(),
    mcp_owner: z.boolean().meta({ description: 'Whether an MCP client holds ownership.' }),
    resolution: z
      .array(count())
      .length(2)
      .meta({ description: "The runtime display's width and height." }),
    network_identity: NetworkIdentity,
    effective_egress: EffectiveEgress,
    egress_diagnostics: EgressDiagnostics,
    recording: z.object({
      configured_mode: RecordingMode,
      format: z.literal('webm'),
      retention_sec: z.int().min(1).nullable(),
      state: z.enum(['disabled', 'idle', 'recording', 'finalizing', 'ready', 'failed']),
      active_recording_id: z.string().nullable(),
      recorder_attached: z.boolean(),
      started_at: timestamp().nullable(),
      bytes_written: count().nullable(),
      duration_ms: count().nullable(),
      // Ours.
      include_audio: z.boolean(),
      rrweb: z.boolean(),
      error: z
        .string()
        .nullable()
        .meta({ description: 'Ours: why the last segment failed, while `state` is `failed`.' }),
    }),
    playback: PlaybackSummary,
    telemetry: z
      .object({
        joins_accepted: count(),
        joins_rejected_viewer_cap: count(),
        last_join_latency_ms: count(),
        average_join_latency_ms: z.number(),
        max_join_latency_ms: count(),
        full_refresh_requests: count(),
        full_refresh_tiles_requested: count(),
        last_full_refresh_tiles: count(),
        max_full_refresh_tiles: count(),
        egress_send_stream_lock_acquires_total: count(),
        egress_send_stream_lock_wait_us_total: count(),
        egress_send_stream_lock_wait_us_average: z.number(),
        egress_send_stream_lock_wait_us_max: count(),
        egress_lagged_receives_total: count(),
        egress_lagged_frames_total: count(),
      })
      .meta({
        description:
          'Gateway counters of the reference. Our hosts do not report them to the edge yet: all 0.',
      }),
    // Ours.
    session_id: uuid(),
    host: z
      .object({
        host_id: uuid(),
        name: z.string(),
        region: z.string(),
        relay_url: z.string(),
        status: z.enum(['healthy', 'lost']),
      })
      .nullable(),
    runtime: z
      .object({
        reported_state: z.string().nullable(),
        restarts: count(),
        display: Viewport.nullable(),
        error: z.string().nullable(),
        reported_at: timestamp(),
      })
      .nullable()
      .meta({ description: 'Ours: what the host last reported about the runtime.' }),
    automation_connections: z.array(AutomationConnection),
    automation_owner: PrincipalRef.nullable(),
    mcp_owner_principal: PrincipalRef.nullable(),
    queue: QueueBlock.nullable(),
    events: z.array(
      z.object({
        type: z.string().meta({
          description:
            'created, placed, state_changed, runtime_lost, stop_requested, kill_requested, restart_requested, idle_stop, cancelled, released, automation_owner_set, automation_owner_cleared, mcp_owner_set, mcp_owner_cleared, grants_revoked (a delegate lost its grant: `data.principals`, `data.grant_generation`), host-reported events (runtime_crashed, cdp_attached, …).',
        }),
        at: timestamp(),
        host_id: uuid().nullable(),
        data: z.record(z.string(), z.unknown()).nullable(),
      }),
    ),
    updated_at: timestamp(),
    command_id: uuid()
      .optional()
      .meta({ description: 'Disconnect routes: the command queued for the host.' }),
  }),
  'Lifecycle, runtime, presence and connections of a session. Side-effect free; served for stopped sessions too.',
);

export type SessionStatus = z.output<typeof SessionStatus>;
