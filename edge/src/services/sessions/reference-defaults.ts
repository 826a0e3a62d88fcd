/**
 * Members of the reference's v1 session resource for features we do not have yet (projects and
 * quotas, network identities, egress profiles), and the recording policy as the API shows it.
 * Each says so truthfully: owner-scoped admission, nothing configured.
 */
import type { Session } from '@browserpane/api/contract';
import type { SessionRow } from '../../db/schema/index.ts';
import type { RuntimeState } from '../session-view.ts';

export function ownerScopeAdmission(checkedAt: Date): Session['admission'] {
  return {
    state: 'allowed',
    reason_code: 'owner_scope_unbounded',
    message: 'owner-scoped session: no project quota applies',
    project_id: null,
    active_sessions: null,
    max_active_sessions: null,
    active_workflow_runs: null,
    max_active_workflow_runs: null,
    session_creations: null,
    max_session_creations: null,
    session_creations_in_window: null,
    max_session_creations_per_window: null,
    session_creation_window_sec: null,
    runtime_usage_ms: null,
    max_runtime_usage_ms: null,
    checked_at: checkedAt.toISOString(),
  };
}

export function networkIdentity(): Session['network_identity'] {
  return {
    locale: null,
    languages: [],
    timezone: null,
    geolocation: null,
    user_agent: null,
    browser_identity: null,
    egress_profile_id: null,
  };
}

export function effectiveEgress(): Session['effective_egress'] {
  return {
    profile_id: null,
    profile_name: null,
    profile_state: null,
    proxy_configured: false,
    proxy_auth_configured: false,
    bypass_rule_count: 0,
    custom_ca_configured: false,
    observation_mode: 'metadata_only',
    tls_interception_enabled: false,
    sensitive_log_sink_configured: false,
  };
}

export function egressDiagnostics(
  row: Pick<SessionRow, 'hostId'>,
  runtime: RuntimeState,
  now: Date,
): Session['egress_diagnostics'] {
  return {
    ...effectiveEgress(),
    health: 'unknown',
    proof_level: 'none',
    runtime_binding: row.hostId === null ? null : 'host_runtime_pool',
    runtime_assignment: row.hostId === null ? null : runtime,
    proof: {
      profile_resolved: false,
      profile_ready: false,
      profile_reachability_collected: false,
      profile_reachability_healthy: false,
      profile_reachability_observed_at: null,
      profile_reachability_failure: null,
      proxy_launch_config_expected: false,
      bypass_rules_expected: 0,
      custom_ca_launch_config_expected: false,
      tls_interception_expected: false,
      sensitive_log_sink_declared: false,
      runtime_launch_observed: runtime === 'running',
      active_probe_collected: false,
      observed_public_ip: null,
      observed_tls_issuer: null,
      last_failure_reason: null,
    },
    warnings: [],
    observed_at: now.toISOString(),
  };
}

/** The session's recording policy (`recording`). */
export function recordingPolicy(
  row: Pick<
    SessionRow,
    'recordingMode' | 'recordingRetentionSec' | 'recordingAudio' | 'recordingRrweb'
  >,
): Session['recording'] {
  return {
    mode: row.recordingMode,
    format: 'webm',
    retention_sec: row.recordingRetentionSec,
    include_audio: row.recordingAudio,
    rrweb: row.recordingRrweb,
  };
}
