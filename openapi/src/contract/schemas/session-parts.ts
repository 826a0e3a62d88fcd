/**
 * Parts the Session resource and its status snapshot share: the lifecycle and derived enums,
 * admission, network identity and egress summaries, connection counts, stop eligibility, idle
 * timing, the admission queue. Shapes and values follow the reference's frozen v1 contract; our
 * own members are additive and say so.
 */
import { count, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';

export const SESSION_STATES = [
  'pending',
  'starting',
  'queued',
  'ready',
  'active',
  'idle',
  'released',
  'stopping',
  'stopped',
  'failed',
  'expired',
] as const;
export const SessionState = named(
  'SessionLifecycleState',
  z.enum(SESSION_STATES),
  'Persisted lifecycle state. A session whose host was lost waits to be placed again as `queued` (`queue.reason` `runtime_lost`); `pending` and `expired` are never set.',
);

export const RUNTIME_STATES = [
  'not_started',
  'starting',
  'running',
  'released',
  'stopping',
  'stopped',
] as const;
export const RuntimeState = named('SessionRuntimeState', z.enum(RUNTIME_STATES));

export const RuntimeResumeMode = named(
  'SessionRuntimeResumeMode',
  z.enum(['fresh_start', 'exact_live', 'profile_restart', 'released', 'stopped']),
);

export const PresenceState = named(
  'SessionPresenceState',
  z.enum(['empty', 'connected', 'automation_owned', 'recording_only', 'idle']),
);

export const OwnerMode = named(
  'SessionOwnerMode',
  z.enum(['collaborative', 'exclusive_browser_owner']),
);

export const COMPATIBILITY_MODE = 'session_runtime_pool' as const;
const CompatibilityMode = z.enum(['legacy_single_runtime', 'session_runtime_pool']);

export const ProjectAdmissionDecision = named(
  'ProjectAdmissionDecision',
  z.object({
    state: z.enum(['allowed', 'queued', 'rejected']),
    reason_code: z.enum([
      'owner_scope_unbounded',
      'project_quota_available',
      'active_session_quota_exceeded',
      'session_creation_budget_exceeded',
      'session_creation_rate_exceeded',
      'runtime_usage_budget_exceeded',
      'active_workflow_run_quota_exceeded',
      'project_archived',
      'session_template_not_allowed',
      'egress_profile_not_allowed',
      'extension_not_allowed',
      'browser_context_not_allowed',
    ]),
    message: z.string(),
    project_id: uuid().nullable(),
    active_sessions: count().nullable(),
    max_active_sessions: z.int().min(1).nullable(),
    active_workflow_runs: count().nullable(),
    max_active_workflow_runs: z.int().min(1).nullable(),
    session_creations: count().nullable(),
    max_session_creations: z.int().min(1).nullable(),
    session_creations_in_window: count().nullable(),
    max_session_creations_per_window: z.int().min(1).nullable(),
    session_creation_window_sec: z.int().min(1).nullable(),
    runtime_usage_ms: count().nullable(),
    max_runtime_usage_ms: z.int().min(1).nullable(),
    checked_at: timestamp(),
  }),
  'The quota decision taken for the session. Sessions are owner-scoped (no projects yet): always `allowed` with `owner_scope_unbounded`.',
);

export const NetworkIdentity = named(
  'SessionNetworkIdentity',
  z.strictObject({
    locale: z.string().nullable().optional(),
    languages: z.array(z.string()).optional(),
    timezone: z.string().nullable().optional(),
    geolocation: z
      .strictObject({
        latitude: z.number().min(-90).max(90),
        longitude: z.number().min(-180).max(180),
        accuracy_meters: z.number().min(0).nullable().optional(),
      })
      .nullable()
      .optional(),
    user_agent: z.string().nullable().optional(),
    browser_identity: z.string().nullable().optional(),
    egress_profile_id: uuid().nullable().optional(),
  }),
  'Locale, timezone, geolocation and user agent the browser presents. Not configurable yet: the browser uses its host defaults and every member is null.',
);

const EgressProfileState = z.enum(['ready', 'disabled']).nullable();
const ObservationMode = z.enum(['metadata_only', 'tls_intercept']);

export const EffectiveEgress = named(
  'SessionEffectiveEgress',
  z.object({
    profile_id: uuid().nullable(),
    profile_name: z.string().nullable(),
    profile_state: EgressProfileState,
    proxy_configured: z.boolean(),
    proxy_auth_configured: z.boolean(),
    bypass_rule_count: count(),
    custom_ca_configured: z.boolean(),
    observation_mode: ObservationMode,
    tls_interception_enabled: z.boolean(),
    sensitive_log_sink_configured: z.boolean(),
  }),
  'The egress configuration in force: no egress profiles yet, so direct egress from the host.',
);

export const EgressDiagnostics = named(
  'EgressDiagnosticsResource',
  z.object({
    profile_id: uuid().nullable(),
    profile_name: z.string().nullable(),
    profile_state: EgressProfileState,
    health: z.enum(['ready', 'unknown', 'attention', 'blocked', 'missing']),
    observation_mode: ObservationMode,
    proof_level: z.enum(['none', 'configuration', 'runtime_launch_metadata', 'active_probe']),
    runtime_binding: z.string().nullable(),
    runtime_assignment: z.string().nullable(),
    proxy_configured: z.boolean(),
    proxy_auth_configured: z.boolean(),
    bypass_rule_count: count(),
    custom_ca_configured: z.boolean(),
    tls_interception_enabled: z.boolean(),
    sensitive_log_sink_configured: z.boolean(),
    proof: z.object({
      profile_resolved: z.boolean(),
      profile_ready: z.boolean(),
      profile_reachability_collected: z.boolean(),
      profile_reachability_healthy: z.boolean(),
      profile_reachability_observed_at: timestamp().nullable(),
      profile_reachability_failure: z.string().nullable(),
      proxy_launch_config_expected: z.boolean(),
      bypass_rules_expected: count(),
      custom_ca_launch_config_expected: z.boolean(),
      tls_interception_expected: z.boolean(),
      sensitive_log_sink_declared: z.boolean(),
      runtime_launch_observed: z.boolean(),
      active_probe_collected: z.boolean(),
      observed_public_ip: z.string().nullable(),
      observed_tls_issuer: z.string().nullable(),
      last_failure_reason: z.string().nullable(),
    }),
    warnings: z.array(z.string()),
    observed_at: timestamp(),
  }),
  'Evidence about the egress in effect. No probes yet: `health` `unknown`, `proof_level` `none`.',
);

/**
 * Live attachments by kind. The reference's counters (`*_clients`) and ours (per role, `total`)
 * side by side: `total_clients` counts browser attachments (recorders included), `automation`
 * our CDP attachments, `automation_clients` those (at least 1 while an MCP owner is registered).
 */
export const ConnectionCounts = named(
  'ConnectionCounts',
  z.object({
    interactive_clients: count(),
    owner_clients: count(),
    viewer_clients: count(),
    recorder_clients: count(),
    automation_clients: count(),
    total_clients: count(),
    owner: count(),
    viewer: count(),
    automation: count(),
    recorder: count(),
    total: count().meta({ description: 'Every live connection, CDP attachments included.' }),
  }),
);

export const StopEligibility = named(
  'StopEligibility',
  z.object({
    allowed: z.boolean(),
    blockers: z.array(
      z.object({
        kind: z.enum([
          'owner_clients',
          'viewer_clients',
          'automation_owner',
          'automation_tasks',
          'workflow_runs',
        ]),
        count: count(),
      }),
    ),
  }),
  'A safe stop (and a release) is refused while people are attached or automation owns or drives the session.',
);

export const IdleTiming = named(
  'IdleTiming',
  z.object({
    idle_timeout_sec: z.int().min(1).nullable(),
    idle_since: timestamp().nullable(),
    idle_deadline: timestamp().nullable(),
    seconds_until_idle_stop: count()
      .nullable()
      .meta({ description: 'Ours: seconds left before the idle stop, while the timer runs.' }),
  }),
);

/** Where a waiting session stands: the reference's queue block plus our finer `reason`. */
export const QueueBlock = named(
  'SessionQueue',
  z.object({
    queued_at: timestamp(),
    queued_for_ms: count(),
    position: z.int().min(1),
    active_sessions: count(),
    queued_sessions: count(),
    max_active_sessions: z.int().min(1).nullable(),
    dispatch_blocker: z.enum([
      'project_active_session_quota',
      'earlier_queued_session',
      'runtime_capacity',
    ]),
    cancellable: z.boolean(),
    reason: z.enum(['pending', 'no_healthy_hosts', 'pool_full', 'runtime_lost']).meta({
      description:
        'Ours: `pending` (not tried yet), `no_healthy_hosts`, `pool_full`, or `runtime_lost` (its host was lost; it is placed again when a host has room).',
    }),
  }),
);

/** The derived status summary embedded in the Session resource (`status`). */
export const StatusSummary = named(
  'SessionStatusSummary',
  z.object({
    runtime_state: RuntimeState,
    runtime_resume_mode: RuntimeResumeMode,
    presence_state: PresenceState,
    connection_counts: ConnectionCounts,
    stop_eligibility: StopEligibility,
    idle: IdleTiming,
  }),
);

export const ConnectPoint = named(
  'SessionConnect',
  z.object({
    gateway_url: z.string().meta({ format: 'uri' }),
    transport_path: z.string(),
    auth_type: z.literal('session_connect_ticket'),
    ticket_path: z.string().nullable(),
    compatibility_mode: CompatibilityMode,
  }),
  "Where a browser client attaches: the relay of the session's host (the edge's origin while it is not placed) and the path to mint a ticket.",
);

export { CompatibilityMode };
