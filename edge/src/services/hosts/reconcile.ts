/** What the edge wants of one placed session, given its host's latest report (pure). */
import type { SessionRow, SessionState } from '../../db/schema/index.ts';
import type { SessionEventInput } from '../scheduler.ts';
import {
  countConnections,
  hasInteractiveUse,
  isRunningState,
  runningState,
} from '../session-view.ts';
import type { ConnectionReport, RuntimeReport } from './heartbeat-messages.ts';

/** What the edge wants of one placed session, given what its host just reported. */
export function reconcile(
  row: SessionRow,
  report: RuntimeReport | undefined,
  conns: ConnectionReport[],
  now: Date,
): { patch: Partial<SessionRow>; events: SessionEventInput[] } {
  const counts = countConnections(conns);
  const patch: Partial<SessionRow> = {};
  const events: SessionEventInput[] = [];
  if (report) {
    patch.runtimeState = report.state;
    patch.runtimeRestarts = report.restarts;
    patch.runtimeDisplay = report.display;
    patch.runtimeError = report.error ?? null;
    patch.runtimeReportedAt = now;
  }
  let next: SessionState = row.state;
  if (row.state === 'stopping') {
    if (!report || report.state === 'stopped' || report.state === 'failed') {
      next = 'stopped';
      Object.assign(patch, {
        hostId: null,
        lastHostId: row.hostId,
        stopMode: null,
        stoppedAt: now,
        idleSince: null,
      });
    }
  } else if (row.state === 'failed' || row.state === 'released') {
    // The runtime is gone once the host stops reporting it (or reports it stopped): the session
    // leaves the host (a released one keeps its state, and its profile stays there).
    if (!report || report.state === 'stopped' || report.state === 'failed')
      Object.assign(patch, { hostId: null, lastHostId: row.hostId });
  } else if (isRunningState(row.state)) {
    if (report?.state === 'running') {
      next = runningState(counts, row.lastActiveAt);
      if (next === 'active') patch.lastActiveAt = now;
    } else if (report?.state === 'failed') {
      next = 'failed';
    } else {
      next = 'starting';
    }
    if (isRunningState(next)) {
      patch.idleSince = hasInteractiveUse(counts, row) ? null : (row.idleSince ?? now);
    } else {
      patch.idleSince = null;
    }
  }
  if (next !== row.state) {
    patch.state = next;
    events.push({
      sessionId: row.id,
      hostId: row.hostId,
      type: 'state_changed',
      at: now,
      data: { from: row.state, to: next, ...(report?.error ? { error: report.error } : {}) },
    });
  }
  return { patch, events };
}

/** Whether applying `patch` would change `row` (dates compared by time, the rest as JSON). */
export function changed(row: SessionRow, patch: Partial<SessionRow>): boolean {
  for (const [key, value] of Object.entries(patch)) {
    const current = row[key as keyof SessionRow];
    if (value instanceof Date || current instanceof Date) {
      if ((value as Date | null)?.getTime() !== (current as Date | null)?.getTime()) return true;
    } else if (JSON.stringify(value) !== JSON.stringify(current)) {
      return true;
    }
  }
  return false;
}
