import type { SessionStatus } from '@browserpane/api/contract';
import type { ConnectionRole, SessionRow, SessionState } from '../db/schema/index.ts';

/**
 * Pure views of a session: the derived members of its API resource and status (runtime state,
 * resume mode, presence, counts, stop eligibility, idle timing), from the row and its live
 * connections. No I/O here, so the rules are unit-tested directly. The derivations follow the
 * reference's v1 semantics (research/reference-contract.md §15).
 */

type Summary = SessionStatus;
export type ApiState = Summary['state'];
export type RuntimeState = Summary['runtime_state'];
export type ResumeMode = Summary['runtime_resume_mode'];
export type PresenceState = Summary['presence_state'];
export type StopEligibility = Summary['stop_eligibility'];
export type ApiConnectionCounts = Summary['connection_counts'];
export type IdleView = Summary['idle'];

export type ConnectionCounts = Record<ConnectionRole, number> & { total: number };

/** States in which the session's runtime is meant to run on its host. */
export const RUNNING_STATES: readonly SessionState[] = ['starting', 'ready', 'active', 'idle'];

/** States of a session waiting for a host (a lost host's sessions wait like new ones). */
export const WAITING_STATES: readonly SessionState[] = ['queued', 'runtime_lost'];

export function isRunningState(state: SessionState): boolean {
  return RUNNING_STATES.includes(state);
}

/** The lifecycle state the API shows: a session waiting after its host was lost is `queued`. */
export function apiState(state: SessionState): ApiState {
  return state === 'runtime_lost' ? 'queued' : state;
}

/** The persisted states an API state filter (`state=queued,…`) selects. */
export function statesFor(apiStates: readonly string[]): SessionState[] {
  const out = new Set<SessionState>();
  for (const s of apiStates) {
    if (s === 'queued') for (const w of WAITING_STATES) out.add(w);
    else if (s !== 'pending' && s !== 'expired') out.add(s as SessionState);
  }
  return [...out];
}

/** The persisted states a derived runtime state filter (`runtime_state=running,…`) selects. */
export function statesForRuntime(runtimeStates: readonly string[]): SessionState[] {
  const map: Record<RuntimeState, readonly SessionState[]> = {
    not_started: WAITING_STATES,
    starting: ['starting'],
    running: ['ready', 'active', 'idle'],
    released: ['released'],
    stopping: ['stopping'],
    stopped: ['stopped', 'failed'],
  };
  return [...new Set(runtimeStates.flatMap((s) => map[s as RuntimeState] ?? []))];
}

export function countConnections(
  connections: readonly { role: ConnectionRole }[],
): ConnectionCounts {
  const counts: ConnectionCounts = { owner: 0, viewer: 0, automation: 0, recorder: 0, total: 0 };
  for (const c of connections) {
    counts[c.role]++;
    counts.total++;
  }
  return counts;
}

type Owners = Pick<SessionRow, 'automationOwnerId' | 'mcpOwnerId'>;

/**
 * The reference's counters beside ours: browser attachments (`total_clients`, recorders
 * included; CDP attachments are not browser clients), and `automation_clients` = CDP attachments,
 * at least 1 while an MCP owner is registered.
 */
export function apiCounts(counts: ConnectionCounts, session: Owners): ApiConnectionCounts {
  const interactive = counts.owner + counts.viewer;
  return {
    interactive_clients: interactive,
    owner_clients: counts.owner,
    viewer_clients: counts.viewer,
    recorder_clients: counts.recorder,
    automation_clients: Math.max(counts.automation, session.mcpOwnerId !== null ? 1 : 0),
    total_clients: interactive + counts.recorder,
    ...counts,
  };
}

/** Someone (a person or automation) is using the session; recorders alone do not count. */
export function hasInteractiveUse(counts: ConnectionCounts, session: Owners) {
  return (
    counts.owner + counts.viewer + counts.automation > 0 ||
    session.automationOwnerId !== null ||
    session.mcpOwnerId !== null
  );
}

export function runtimeState(session: Pick<SessionRow, 'state'>): RuntimeState {
  switch (session.state) {
    case 'queued':
    case 'runtime_lost':
      return 'not_started';
    case 'starting':
      return 'starting';
    case 'ready':
    case 'active':
    case 'idle':
      return 'running';
    case 'released':
      return 'released';
    case 'stopping':
      return 'stopping';
    case 'stopped':
    case 'failed':
      return 'stopped';
  }
}

/** What reconnecting gives: the same live browser, a new one from the saved profile, or a fresh one. */
export function resumeMode(
  session: Pick<SessionRow, 'state' | 'runtimeReleasedAt' | 'lastHostId' | 'stoppedAt'>,
): ResumeMode {
  const runtime = runtimeState(session);
  if (runtime === 'stopped' || runtime === 'stopping') return 'stopped';
  if (runtime === 'released') return 'released';
  if (runtime === 'running' || runtime === 'starting')
    return session.runtimeReleasedAt !== null ? 'profile_restart' : 'exact_live';
  return session.runtimeReleasedAt !== null || session.lastHostId !== null
    ? 'profile_restart'
    : 'fresh_start';
}

export function presenceState(
  session: Pick<SessionRow, 'state'> & Owners,
  counts: ConnectionCounts,
): PresenceState {
  if (counts.owner + counts.viewer > 0) return 'connected';
  if (counts.recorder > 0) return 'recording_only';
  if (counts.automation > 0 || session.automationOwnerId !== null || session.mcpOwnerId !== null) {
    return 'automation_owned';
  }
  return session.state === 'idle' ? 'idle' : 'empty';
}

/**
 * A safe stop (and a release) is refused while people are attached, or automation owns or drives
 * the session (`automation_owner`: its delegate and MCP owner, or live CDP attachments).
 * Recorders do not block.
 */
export function stopEligibility(session: Owners, counts: ConnectionCounts): StopEligibility {
  const blockers: StopEligibility['blockers'] = [];
  if (counts.owner > 0) blockers.push({ kind: 'owner_clients', count: counts.owner });
  if (counts.viewer > 0) blockers.push({ kind: 'viewer_clients', count: counts.viewer });
  const owners = new Set([session.automationOwnerId, session.mcpOwnerId].filter((v) => v !== null))
    .size;
  const automation = Math.max(owners, counts.automation);
  if (automation > 0) blockers.push({ kind: 'automation_owner', count: automation });
  return { allowed: blockers.length === 0, blockers };
}

/** Running state for a runtime the host reports `running`: active when used, else ready/idle. */
export function runningState(counts: ConnectionCounts, lastActiveAt: Date | null): SessionState {
  if (counts.owner + counts.viewer + counts.automation > 0) return 'active';
  return lastActiveAt ? 'idle' : 'ready';
}

export function idleView(
  session: Pick<SessionRow, 'idleTimeoutSec' | 'idleSince'>,
  now: Date,
): IdleView {
  if (!session.idleSince) {
    return {
      idle_timeout_sec: session.idleTimeoutSec,
      idle_since: null,
      idle_deadline: null,
      seconds_until_idle_stop: null,
    };
  }
  const deadline = session.idleSince.getTime() + session.idleTimeoutSec * 1000;
  return {
    idle_timeout_sec: session.idleTimeoutSec,
    idle_since: session.idleSince.toISOString(),
    idle_deadline: new Date(deadline).toISOString(),
    seconds_until_idle_stop: Math.max(0, Math.ceil((deadline - now.getTime()) / 1000)),
  };
}

export function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
