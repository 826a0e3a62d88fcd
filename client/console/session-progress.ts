import type { SessionStatus } from './api.ts';

/** The steps a new (or restarted) session goes through before its picture can show. */
export const STEPS = ['queued', 'placed', 'starting', 'ready'] as const;
export type Step = (typeof STEPS)[number];

const RUNNING = new Set(['ready', 'active', 'idle']);

/**
 * Where a session is on its way to running, from its status: waiting for a host (`queued`), given
 * to a host that has not yet reported it (`placed`), its browser starting on that host
 * (`starting`), running (`ready`).
 */
export function sessionStep(status: SessionStatus): Step {
  if (RUNNING.has(status.state) && status.runtime_state === 'running') return 'ready';
  if (status.state === 'starting' && status.runtime) return 'starting';
  if (status.state === 'starting') return 'placed';
  return 'queued';
}

const WORDS: Record<Step, string> = {
  queued: 'Waiting for a free host',
  placed: 'Host found',
  starting: 'Starting the browser',
  ready: 'Ready',
};

/** "Queued ✓ · Host found ✓ · Starting the browser…" for the toolbar. */
export function progressText(step: Step, status: SessionStatus): string {
  const at = STEPS.indexOf(step);
  const host = status.host?.name ? ` (${status.host.name})` : '';
  return STEPS.slice(0, at + 1)
    .map((s, i) => {
      const word = s === 'placed' ? `${WORDS[s]}${host}` : WORDS[s];
      return i < at ? `${word} ✓` : `${word}…`;
    })
    .join(' · ');
}
