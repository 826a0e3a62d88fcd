import type { SessionResource } from './api.ts';
import { clear, h, timeAgo } from './dom.ts';

const LIVE_STATES = new Set(['pending', 'starting', 'ready', 'active', 'idle', 'queued']);
/** States an owner may remove a session in (nothing runs for it). */
const ENDED_STATES = new Set(['stopped', 'failed', 'released']);
/** Titles a fresh tab shows: they tell sessions apart no better than an id. */
const BLANK_TITLES = new Set(['', 'New Tab', 'about:blank']);

/**
 * What a session is called: the name its owner gave it, else its `name` label, else the title of
 * the tab a person sees in it, else the random tail of its id (UUIDv7 ids share their time
 * prefix, so the head tells sessions started together apart badly).
 */
export function sessionName(s: SessionResource): string {
  const title = s.page?.title.trim() ?? '';
  return (
    s.display_name ??
    s.labels?.name ??
    (BLANK_TITLES.has(title) ? undefined : title) ??
    `Session ${s.id.slice(-6)}`
  );
}

export interface SessionListActions {
  select(id: string): void;
  rename(id: string, name: string | null): Promise<void>;
  remove(id: string): Promise<void>;
}

/**
 * The sidebar list of the user's sessions (and those shared with them): a filter box, then one
 * entry per session with what it shows (name, state, page host, age) and, for its owner, rename
 * and — once it ended — delete.
 */
export class SessionList {
  readonly element: HTMLElement;
  private readonly filter: HTMLInputElement;
  private readonly items = h('div.session-items');
  private sessions: SessionResource[] = [];
  private selected: string | undefined;
  /** The session whose name is being edited: the list is not redrawn under the person typing. */
  private editing: string | undefined;

  constructor(private readonly actions: SessionListActions) {
    this.filter = h('input.session-filter', {
      type: 'search',
      placeholder: 'Filter sessions',
      'aria-label': 'Filter sessions',
      'data-testid': 'session-filter',
      oninput: () => this.render(),
    }) as HTMLInputElement;
    this.element = h('nav.sessions', {}, this.filter, this.items);
  }

  update(sessions: SessionResource[], selected: string | undefined): void {
    this.sessions = sessions;
    this.selected = selected;
    if (!this.editing) this.render();
  }

  showError(message: string): void {
    this.items.replaceChildren(h('p.error', { text: message }));
  }

  private render(): void {
    clear(this.items);
    if (this.sessions.length === 0) {
      this.items.append(
        h('p.empty', { text: 'No sessions yet. Start one to open a remote browser.' }),
      );
      return;
    }
    const words = this.filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const shown = [...this.sessions]
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .filter((s) => words.every((w) => searchText(s).includes(w)));
    if (shown.length === 0)
      this.items.append(h('p.empty', { text: `No session matches “${this.filter.value}”.` }));
    for (const s of shown) this.items.append(this.entry(s));
  }

  private entry(s: SessionResource): HTMLElement {
    const owner = s.access === 'owner';
    const live = LIVE_STATES.has(s.state);
    const age = `${live ? 'started' : 'created'} ${timeAgo(s.created_at)}`;
    const where = s.page?.host ? `${s.page.host} · ` : '';
    const name = h('span.session-name', { text: sessionName(s) });
    const item = h(
      `div.session-item${s.id === this.selected ? '.selected' : ''}`,
      {
        'data-session': s.id,
        role: 'button',
        tabindex: '0',
        title: s.id,
        onclick: () => this.actions.select(s.id),
        onkeydown: (e: Event) => {
          if ((e as KeyboardEvent).key === 'Enter' && e.target === item) this.actions.select(s.id);
        },
      },
      name,
      h(`span.pill.state-${s.state}`, { text: s.state.replace(/_/g, ' ') }),
      h('span.session-meta', {
        text: owner
          ? `${where}${age}`
          : `${where}shared by ${s.owner.display_name ?? s.owner.subject} · ${s.access}`,
      }),
    );
    if (owner) {
      const tools = h(
        'span.session-tools',
        {},
        h(
          'button.link',
          {
            'data-testid': 'rename-session',
            title: 'Rename',
            onclick: (e: Event) => {
              e.stopPropagation();
              this.edit(s, name);
            },
          },
          'Rename',
        ),
        ENDED_STATES.has(s.state)
          ? h(
              'button.link.danger',
              {
                'data-testid': 'delete-session',
                title: 'Delete this session, its files and its shares',
                onclick: (e: Event) => {
                  e.stopPropagation();
                  if (window.confirm(`Delete “${sessionName(s)}” for good?`))
                    void this.actions.remove(s.id);
                },
              },
              'Delete',
            )
          : undefined,
      );
      item.append(tools);
    }
    return item;
  }

  /** Swaps the name for a text box: Enter saves (empty forgets the name), Escape cancels. */
  private edit(s: SessionResource, name: HTMLElement): void {
    this.editing = s.id;
    const input = h('input.session-rename', {
      value: s.display_name ?? sessionName(s),
      maxlength: '200',
      'aria-label': 'Session name',
      'data-testid': 'rename-input',
      onclick: (e: Event) => e.stopPropagation(),
    }) as HTMLInputElement;
    const initial = input.value;
    let done = false;
    const finish = async (save: boolean) => {
      if (done) return;
      done = true;
      const value = input.value.trim();
      try {
        if (save && value !== initial.trim()) await this.actions.rename(s.id, value || null);
      } finally {
        this.editing = undefined;
        this.render();
      }
    };
    input.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 'Enter') void finish(true);
      if (e.key === 'Escape') void finish(false);
    });
    input.addEventListener('blur', () => void finish(true));
    name.replaceWith(input);
    input.focus();
    input.select();
  }
}

function searchText(s: SessionResource): string {
  return [sessionName(s), s.page?.title, s.page?.host, s.id, s.owner.display_name, s.state]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}
