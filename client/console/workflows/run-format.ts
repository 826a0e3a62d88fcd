/** How runs read on screen: state pills, short times, JSON blocks. */
import type { WorkflowRun } from '@browserpane/api';
import { h } from '../dom.ts';

export const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

export function statePill(state: string): HTMLElement {
  return h(`span.pill.run-state.state-${state}`, { text: state.replace(/_/g, ' ') });
}

export function clock(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleTimeString() : '—';
}

export function jsonBlock(value: unknown): HTMLElement {
  return h('pre.json', { text: JSON.stringify(value, null, 2) ?? 'null' });
}

export function runTitle(run: WorkflowRun): string {
  // The tail: ids are UUIDv7, whose head is a timestamp that runs and sessions share.
  return `${run.workflow_version} · …${run.id.slice(-12)}`;
}
