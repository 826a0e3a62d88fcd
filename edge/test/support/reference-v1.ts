/**
 * The reference's frozen v1 contract as its clients see it, written from the digest
 * (shared/research/reference-contract.md §2–§4, §13), independently of our own declarations: for
 * each answer, every required member with its type. `check(spec, body)` lists what an answer lacks
 * or gets wrong; our own extra members are allowed (the v1 answers are a superset).
 */

type Kind =
  | 'string'
  | 'uuid'
  | 'date-time'
  | 'int'
  | 'int>=0'
  | 'int>=1'
  | 'number'
  | 'boolean'
  | 'object'
  | 'array'
  | 'map'
  | 'any';

/** `kind`, `kind?` (nullable) or a list of allowed values. */
export type Field = Kind | `${Kind}?` | readonly (string | boolean)[];
export type Spec = Record<string, Field>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function kindProblem(kind: Kind, v: unknown): string | null {
  switch (kind) {
    case 'string':
      return typeof v === 'string' ? null : 'is not a string';
    case 'uuid':
      return typeof v === 'string' && UUID.test(v) ? null : 'is not a UUID';
    case 'date-time':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /T/.test(v)
        ? null
        : 'is not a date-time';
    case 'int':
      return Number.isInteger(v) ? null : 'is not an integer';
    case 'int>=0':
      return Number.isInteger(v) && (v as number) >= 0 ? null : 'is not an integer ≥ 0';
    case 'int>=1':
      return Number.isInteger(v) && (v as number) >= 1 ? null : 'is not an integer ≥ 1';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? null : 'is not a number';
    case 'boolean':
      return typeof v === 'boolean' ? null : 'is not a boolean';
    case 'object':
    case 'map':
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? null : 'is not an object';
    case 'array':
      return Array.isArray(v) ? null : 'is not an array';
    case 'any':
      return null;
  }
}

/** The values at a dotted path (`a.b`, `a[].b`): several for arrays; `undefined` when absent. */
function valuesAt(body: unknown, path: string): { where: string; value: unknown; skip: boolean }[] {
  let current: { where: string; value: unknown; skip: boolean }[] = [
    { where: '', value: body, skip: false },
  ];
  for (const part of path.split('.')) {
    const array = part.endsWith('[]');
    const key = array ? part.slice(0, -2) : part;
    const next: typeof current = [];
    for (const c of current) {
      // A nullable parent that is null: its members need not be there.
      if (c.skip || c.value === null) {
        next.push({ ...c, skip: true });
        continue;
      }
      const value = (c.value as Record<string, unknown> | undefined)?.[key];
      const where = c.where ? `${c.where}.${key}` : key;
      if (!array) next.push({ where, value, skip: false });
      else if (Array.isArray(value))
        value.forEach((v, i) => {
          next.push({ where: `${where}[${i}]`, value: v, skip: false });
        });
    }
    current = next;
  }
  return current;
}

export function check(spec: Spec, body: unknown): string[] {
  const problems: string[] = [];
  for (const [path, field] of Object.entries(spec)) {
    for (const { where, value, skip } of valuesAt(body, path)) {
      if (skip) continue;
      if (value === undefined) {
        problems.push(`${where} is missing`);
        continue;
      }
      if (Array.isArray(field)) {
        if (!field.includes(value as string))
          problems.push(`${where} = ${JSON.stringify(value)} is not one of ${field.join(', ')}`);
        continue;
      }
      const nullable = (field as string).endsWith('?');
      const kind = (nullable ? (field as string).slice(0, -1) : field) as Kind;
      if (value === null) {
        if (!nullable) problems.push(`${where} is null`);
        continue;
      }
      const problem = kindProblem(kind, value);
      if (problem) problems.push(`${where} ${problem} (${JSON.stringify(value)?.slice(0, 60)})`);
    }
  }
  return problems;
}

function under(prefix: string, spec: Spec): Spec {
  return Object.fromEntries(Object.entries(spec).map(([k, v]) => [`${prefix}.${k}`, v]));
}

const LIFECYCLE = [
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
const COMPATIBILITY = ['legacy_single_runtime', 'session_runtime_pool'] as const;

/** §13.1 */
const ADMISSION: Spec = {
  state: ['allowed', 'queued', 'rejected'],
  reason_code: [
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
  ],
  message: 'string',
  project_id: 'uuid?',
  active_sessions: 'int>=0?',
  max_active_sessions: 'int>=1?',
  active_workflow_runs: 'int>=0?',
  max_active_workflow_runs: 'int>=1?',
  session_creations: 'int>=0?',
  max_session_creations: 'int>=1?',
  session_creations_in_window: 'int>=0?',
  max_session_creations_per_window: 'int>=1?',
  session_creation_window_sec: 'int>=1?',
  runtime_usage_ms: 'int>=0?',
  max_runtime_usage_ms: 'int>=1?',
  checked_at: 'date-time',
};

/** §13.2: every member optional; the object itself is required. */
const NETWORK_IDENTITY: Spec = {};

const EGRESS_COMMON: Spec = {
  profile_id: 'uuid?',
  profile_name: 'string?',
  profile_state: ['ready', 'disabled', null as unknown as string],
  proxy_configured: 'boolean',
  proxy_auth_configured: 'boolean',
  bypass_rule_count: 'int>=0',
  custom_ca_configured: 'boolean',
  observation_mode: ['metadata_only', 'tls_intercept'],
  tls_interception_enabled: 'boolean',
  sensitive_log_sink_configured: 'boolean',
};

/** §13.4 */
const EGRESS_DIAGNOSTICS: Spec = {
  ...EGRESS_COMMON,
  health: ['ready', 'unknown', 'attention', 'blocked', 'missing'],
  proof_level: ['none', 'configuration', 'runtime_launch_metadata', 'active_probe'],
  runtime_binding: 'string?',
  runtime_assignment: 'string?',
  proof: 'object',
  'proof.profile_resolved': 'boolean',
  'proof.profile_ready': 'boolean',
  'proof.profile_reachability_collected': 'boolean',
  'proof.profile_reachability_healthy': 'boolean',
  'proof.profile_reachability_observed_at': 'date-time?',
  'proof.profile_reachability_failure': 'string?',
  'proof.proxy_launch_config_expected': 'boolean',
  'proof.bypass_rules_expected': 'int>=0',
  'proof.custom_ca_launch_config_expected': 'boolean',
  'proof.tls_interception_expected': 'boolean',
  'proof.sensitive_log_sink_declared': 'boolean',
  'proof.runtime_launch_observed': 'boolean',
  'proof.active_probe_collected': 'boolean',
  'proof.observed_public_ip': 'string?',
  'proof.observed_tls_issuer': 'string?',
  'proof.last_failure_reason': 'string?',
  warnings: 'array',
  observed_at: 'date-time',
};

const SUMMARY: Spec = {
  runtime_state: ['not_started', 'starting', 'running', 'released', 'stopping', 'stopped'],
  runtime_resume_mode: ['fresh_start', 'exact_live', 'profile_restart', 'released', 'stopped'],
  presence_state: ['empty', 'connected', 'automation_owned', 'recording_only', 'idle'],
  connection_counts: 'object',
  'connection_counts.interactive_clients': 'int>=0',
  'connection_counts.owner_clients': 'int>=0',
  'connection_counts.viewer_clients': 'int>=0',
  'connection_counts.recorder_clients': 'int>=0',
  'connection_counts.automation_clients': 'int>=0',
  'connection_counts.total_clients': 'int>=0',
  stop_eligibility: 'object',
  'stop_eligibility.allowed': 'boolean',
  'stop_eligibility.blockers': 'array',
  'stop_eligibility.blockers[].kind': [
    'owner_clients',
    'viewer_clients',
    'automation_owner',
    'automation_tasks',
    'workflow_runs',
  ],
  'stop_eligibility.blockers[].count': 'int>=0',
  idle: 'object',
  'idle.idle_timeout_sec': 'int>=1?',
  'idle.idle_since': 'date-time?',
  'idle.idle_deadline': 'date-time?',
};

const PROJECT: Spec = {
  project_id: 'uuid?',
  project: 'object?',
  'project.id': 'uuid',
  'project.name': 'string',
  'project.state': ['active', 'archived'],
};

const CONNECT: Spec = {
  gateway_url: 'string',
  transport_path: 'string',
  auth_type: ['session_connect_ticket'],
  ticket_path: 'string?',
  compatibility_mode: COMPATIBILITY,
};

/** §4.A: the Session resource, 29 required members. */
export const SESSION: Spec = {
  id: 'uuid',
  state: LIFECYCLE,
  ...PROJECT,
  admission: 'object',
  ...under('admission', ADMISSION),
  template_id: 'string?',
  browser_context: 'object',
  'browser_context.mode': ['fresh', 'ephemeral', 'reusable'],
  'browser_context.context_id': 'uuid?',
  network_identity: 'object',
  ...under('network_identity', NETWORK_IDENTITY),
  effective_egress: 'object',
  ...under('effective_egress', EGRESS_COMMON),
  egress_diagnostics: 'object',
  ...under('egress_diagnostics', EGRESS_DIAGNOSTICS),
  owner_mode: ['collaborative', 'exclusive_browser_owner'],
  viewport: 'object',
  'viewport.width': 'int>=1',
  'viewport.height': 'int>=1',
  capabilities: 'object',
  'capabilities.browser_input': 'boolean',
  'capabilities.clipboard': 'boolean',
  'capabilities.audio': 'boolean',
  'capabilities.microphone': 'boolean',
  'capabilities.camera': 'boolean',
  'capabilities.file_transfer': 'boolean',
  'capabilities.resize': 'boolean',
  owner: 'object',
  'owner.subject': 'string',
  'owner.issuer': 'string',
  'owner.display_name': 'string?',
  automation_delegate: 'object?',
  'automation_delegate.client_id': 'string',
  'automation_delegate.issuer': 'string',
  'automation_delegate.display_name': 'string?',
  idle_timeout_sec: 'int>=1?',
  labels: 'map',
  integration_context: 'map?',
  extensions: 'array',
  'extensions[].extension_id': 'uuid',
  'extensions[].extension_version_id': 'uuid',
  'extensions[].name': 'string',
  'extensions[].version': 'string',
  recording: 'object',
  'recording.mode': ['disabled', 'manual', 'always'],
  'recording.format': ['webm'],
  'recording.retention_sec': 'int>=1?',
  connect: 'object',
  ...under('connect', CONNECT),
  runtime: 'object',
  'runtime.binding': ['legacy_single_session', 'docker_runtime_pool'],
  'runtime.compatibility_mode': COMPATIBILITY,
  'runtime.cdp_endpoint': 'string?',
  status: 'object',
  ...under('status', SUMMARY),
  queue: 'object?',
  'queue.queued_at': 'date-time',
  'queue.queued_for_ms': 'int>=0',
  'queue.position': 'int>=1',
  'queue.active_sessions': 'int>=0',
  'queue.queued_sessions': 'int>=0',
  'queue.max_active_sessions': 'int>=1?',
  'queue.dispatch_blocker': [
    'project_active_session_quota',
    'earlier_queued_session',
    'runtime_capacity',
  ],
  'queue.cancellable': 'boolean',
  created_at: 'date-time',
  updated_at: 'date-time',
  queued_at: 'date-time?',
  runtime_released_at: 'date-time?',
  stopped_at: 'date-time?',
};

/** §4.B: the status snapshot. */
export const STATUS: Spec = {
  state: LIFECYCLE,
  ...PROJECT,
  admission: 'object',
  ...under('admission', ADMISSION),
  ...SUMMARY,
  connections: 'array',
  'connections[].connection_id': 'int>=1',
  'connections[].role': ['owner', 'viewer', 'recorder'],
  browser_clients: 'int>=0',
  viewer_clients: 'int>=0',
  recorder_clients: 'int>=0',
  max_viewers: 'int>=0',
  viewer_slots_remaining: 'int>=0',
  exclusive_browser_owner: 'boolean',
  mcp_owner: 'boolean',
  resolution: 'array',
  'resolution[]': 'int>=0',
  network_identity: 'object',
  effective_egress: 'object',
  ...under('effective_egress', EGRESS_COMMON),
  egress_diagnostics: 'object',
  ...under('egress_diagnostics', EGRESS_DIAGNOSTICS),
  recording: 'object',
  'recording.configured_mode': ['disabled', 'manual', 'always'],
  'recording.format': ['webm'],
  'recording.retention_sec': 'int>=1?',
  'recording.state': ['disabled', 'idle', 'recording', 'finalizing', 'ready', 'failed'],
  'recording.active_recording_id': 'string?',
  'recording.recorder_attached': 'boolean',
  'recording.started_at': 'date-time?',
  'recording.bytes_written': 'int>=0?',
  'recording.duration_ms': 'int>=0?',
  playback: 'object',
  'playback.session_id': 'uuid',
  'playback.state': ['empty', 'ready', 'partial'],
  'playback.segment_count': 'int>=0',
  'playback.included_segment_count': 'int>=0',
  'playback.failed_segment_count': 'int>=0',
  'playback.active_segment_count': 'int>=0',
  'playback.missing_artifact_segment_count': 'int>=0',
  'playback.included_bytes': 'int>=0',
  'playback.included_duration_ms': 'int>=0',
  'playback.manifest_path': 'string',
  'playback.export_path': 'string',
  'playback.generated_at': 'date-time',
  telemetry: 'object',
  ...Object.fromEntries(
    [
      'joins_accepted',
      'joins_rejected_viewer_cap',
      'last_join_latency_ms',
      'max_join_latency_ms',
      'full_refresh_requests',
      'full_refresh_tiles_requested',
      'last_full_refresh_tiles',
      'max_full_refresh_tiles',
      'egress_send_stream_lock_acquires_total',
      'egress_send_stream_lock_wait_us_total',
      'egress_send_stream_lock_wait_us_max',
      'egress_lagged_receives_total',
      'egress_lagged_frames_total',
    ].map((k) => [`telemetry.${k}`, 'int>=0' as const]),
  ),
  'telemetry.average_join_latency_ms': 'number',
  'telemetry.egress_send_stream_lock_wait_us_average': 'number',
};

/** §4.7 */
export const CONNECT_TICKET: Spec = {
  session_id: 'uuid',
  token_type: ['session_connect_ticket'],
  token: 'string',
  expires_at: 'date-time',
  connect: 'object',
  ...under('connect', CONNECT),
};

/** §4.8 */
export const AUTOMATION_ACCESS: Spec = {
  session_id: 'uuid',
  token_type: ['session_automation_access_token'],
  token: 'string',
  expires_at: 'date-time',
  automation: 'object',
  'automation.endpoint_url': 'string',
  'automation.protocol': ['chrome_devtools_protocol'],
  'automation.auth_type': ['session_automation_access_token'],
  'automation.auth_header': ['x-bpane-automation-access-token'],
  'automation.status_path': 'string',
  'automation.mcp_owner_path': 'string',
  'automation.compatibility_mode': COMPATIBILITY,
};

/** §3.1 */
export const IDENTITY: Spec = {
  subject: 'string',
  issuer: 'string',
  display_name: 'string?',
  client_id: 'string?',
  principal_type: ['user', 'service_principal', 'legacy_dev_token'],
};

/** §2.3 */
export const ERROR: Spec = { error: 'string' };
export const STOP_CONFLICT: Spec = {
  error: 'string',
  session: 'object',
  ...under('session', SESSION),
};
export const SESSION_LIST: Spec = { sessions: 'array' };
export const OK: Spec = { ok: [true] };
