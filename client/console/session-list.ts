import type { SessionResource } from './api.ts';
import { clear, h, timeAgo } from './dom.ts';

const LIVE_STATES = new Set(['pending', 'starting', 'ready', 'active', 'idle', 'queued']);

/**
 * What a session is called: its `name` label, else the random tail of its id (UUIDv7 ids share
 * their time prefix, so the head tells sessions started together apart badly).
 */
export function sessionName(s: SessionResource): string {
  return s.labels?.name ?? `Session ${s.id.slice(-6)}`;
}

/** The sidebar list of the user's sessions (and those shared with them). */
export function renderSessionList(
  root: HTMLElement,
  sessions: SessionResource[],
  selected: string | undefined,
  onSelect: (id: string) => void,
): void {
  clear(root);
  if (sessions.length === 0) {
    root.append(h('p.empty', { text: 'No sessions yet. Start one to open a remote browser.' }));
    return;
  }
  const sorted = [...sessions].sort((a, b) => b.created_at.localeCompare(a.created_at));
  for (const s of sorted) {
    const live = LIVE_STATES.has(s.state);
    root.append(
      h(
        `button.session-item${s.id === selected ? '.selected' : ''}`,
        { 'data-session': s.id, onclick: () => onSelect(s.id), title: s.id },
        h('span.session-name', { text: sessionName(s) }),
        h(`span.pill.state-${s.state}`, { text: s.state.replace(/_/g, ' ') }),
        h('span.session-meta', {
          text:
            s.access === 'owner'
              ? `${live ? 'started' : 'created'} ${timeAgo(s.created_at)}`
              : `shared by ${s.owner.display_name ?? s.owner.subject} · ${s.access}`,
        }),
      ),
    );
  }
}
