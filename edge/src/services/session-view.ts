import type { ConnectionRole, SessionRow, SessionState } from '../db/schema/index.ts';

/**
 * Pure views of a session: what its API resource and status look like, derived from the row and
 * its live connections. No I/O here, so the rules are unit-tested directly.
 */

export type RuntimeState =
  | 'not_started'
  | 'starting'
  | 'running'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'lost';
export type PresenceState = 'empty' | 'connected' | 'automation_owned' | 'recording_only' | 'idle';
export type BlockerKind =
  | 'owner_clients'
  | 'viewer_clients'
  | 'automation_clients'
  | 'automation_owner';

export interface ConnectionView {
  connection_id: string;
  role: ConnectionRole;
  principal: string;
  display_name: string;
  connected_at: string;
  client: string | null;
}

export type ConnectionCounts = Record<ConnectionRole, number> & { total: number };

/** States in which the session's runtime is meant to run on its host. */
export const RUNNING_STATES: readonly SessionState[] = ['starting', 'ready', 'active', 'idle'];

export function isRunningState(state: SessionState): boolean {
  return RUNNING_STATES.includes(state);
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

/** Someone (a person or automation) is using the session; recorders alone do not count. */
export function hasInteractiveUse(
  counts: ConnectionCounts,
  session: Pick<SessionRow, 'automationOwnerId' | 'mcpOwnerId'>,
) {
  return (
    counts.owner + counts.viewer + counts.automation > 0 ||
    session.automationOwnerId !== null ||
    session.mcpOwnerId !== null
  );
}

export function runtimeState(session: Pick<SessionRow, 'state' | 'runtimeState'>): RuntimeState {
  switch (session.state) {
    case 'queued':
      return 'not_started';
    case 'starting':
      return 'starting';
    case 'ready':
    case 'active':
    case 'idle':
      return 'running';
    case 'stopping':
      return 'stopping';
    case 'stopped':
      return 'stopped';
    case 'failed':
      return 'failed';
    case 'runtime_lost':
      return 'lost';
  }
}

export function presenceState(
  session: Pick<SessionRow, 'state' | 'automationOwnerId' | 'mcpOwnerId'>,
  counts: ConnectionCounts,
): PresenceState {
  if (counts.owner + counts.viewer > 0) return 'connected';
  if (counts.automation > 0 || session.automationOwnerId !== null || session.mcpOwnerId !== null) {
    return 'automation_owned';
  }
  if (counts.recorder > 0) return 'recording_only';
  return session.state === 'idle' ? 'idle' : 'empty';
}

export interface StopEligibility {
  allowed: boolean;
  blockers: { kind: BlockerKind; count: number }[];
}

/** A safe stop is refused while people or automation are attached, or automation owns the session. */
export function stopEligibility(
  session: Pick<SessionRow, 'automationOwnerId' | 'mcpOwnerId'>,
  counts: ConnectionCounts,
): StopEligibility {
  const blockers: StopEligibility['blockers'] = [];
  if (counts.owner > 0) blockers.push({ kind: 'owner_clients', count: counts.owner });
  if (counts.viewer > 0) blockers.push({ kind: 'viewer_clients', count: counts.viewer });
  if (counts.automation > 0)
    blockers.push({ kind: 'automation_clients', count: counts.automation });
  const owners = new Set([session.automationOwnerId, session.mcpOwnerId].filter((v) => v !== null))
    .size;
  if (owners > 0) blockers.push({ kind: 'automation_owner', count: owners });
  return { allowed: blockers.length === 0, blockers };
}

/** Running state for a runtime the host reports `running`: active when used, else ready/idle. */
export function runningState(counts: ConnectionCounts, lastActiveAt: Date | null): SessionState {
  if (counts.owner + counts.viewer + counts.automation > 0) return 'active';
  return lastActiveAt ? 'idle' : 'ready';
}

export interface IdleView {
  idle_timeout_sec: number;
  idle_since: string | null;
  idle_deadline: string | null;
  seconds_until_idle_stop: number | null;
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
