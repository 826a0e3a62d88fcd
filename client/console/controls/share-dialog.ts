import type { Api } from '../api.ts';
import { clear, h } from '../dom.ts';

type Role = 'viewer' | 'collaborator';
type Share = Awaited<ReturnType<Api['listSessionShares']>>['shares'][number];

const EXPIRIES: Array<[string, number | undefined]> = [
  ['1 hour', 3600],
  ['1 day', 86_400],
  ['7 days', 7 * 86_400],
  ['never', undefined],
];

/**
 * The owner's "Share with people" panel: invite someone by e-mail or account id as viewer or
 * collaborator, make a link with a role and an expiry, see who it is shared with and revoke.
 */
export class ShareDialog {
  readonly element: HTMLElement;
  private readonly list = h('ul.share-list', { 'data-testid': 'share-list' });
  private readonly who = h<'input'>('input', {
    name: 'share-who',
    placeholder: 'e-mail or account id',
    'data-testid': 'share-who',
    autocomplete: 'off',
  });
  private readonly role = roleSelect('share-role');
  private readonly linkRole = roleSelect('share-link-role');
  private readonly expiry = h<'select'>(
    'select',
    { 'data-testid': 'share-link-expiry', title: 'The link stops working after' },
    ...EXPIRIES.map(([label], i) => h('option', { value: String(i) }, label)),
  );
  private readonly linkOut = h<'input'>('input.share-link', {
    readonly: true,
    'data-testid': 'share-link',
    hidden: true,
  });
  private readonly error = h('p.error', { hidden: true, 'data-testid': 'share-error' });

  constructor(
    private readonly api: Api,
    private readonly sessionId: string,
    private readonly flash: (text: string) => void,
  ) {
    this.element = h(
      'div.share-dialog',
      { role: 'dialog', 'aria-label': 'Share this session', hidden: true },
      h(
        'div.share-head',
        {},
        h('h3', { text: 'Share this session' }),
        h('button.ghost', { onclick: () => this.close(), title: 'Close' }, '✕'),
      ),
      h(
        'form.share-row',
        {
          onsubmit: (e) => {
            e.preventDefault();
            void this.invite();
          },
        },
        this.who,
        this.role,
        h('button.primary', { type: 'submit', 'data-testid': 'share-invite' }, 'Invite'),
      ),
      h(
        'div.share-row',
        {},
        h('span', { text: 'Link for' }),
        this.linkRole,
        h('span', { text: 'expires in' }),
        this.expiry,
        h(
          'button.ghost',
          { onclick: () => void this.makeLink(), 'data-testid': 'share-make-link' },
          'Create link',
        ),
      ),
      this.linkOut,
      this.error,
      h('h4', { text: 'Shared with' }),
      this.list,
    );
  }

  open(): void {
    this.element.hidden = false;
    this.who.focus();
    void this.refresh();
  }

  close(): void {
    this.element.hidden = true;
  }

  private async run(action: () => Promise<void>): Promise<void> {
    this.error.hidden = true;
    try {
      await action();
    } catch (err) {
      this.error.textContent = (err as Error).message;
      this.error.hidden = false;
    }
  }

  private invite(): Promise<void> {
    return this.run(async () => {
      const who = this.who.value.trim();
      if (!who) throw new Error('Enter an e-mail address or an account id.');
      const role = this.role.value as Role;
      await this.api.createSessionShare({
        params: { session_id: this.sessionId },
        body: who.includes('@') ? { role, email: who } : { role, subject: who },
      });
      this.who.value = '';
      this.flash(`Shared with ${who} as ${role}`);
      await this.refresh();
    });
  }

  private makeLink(): Promise<void> {
    return this.run(async () => {
      const expires = EXPIRIES[Number(this.expiry.value)]?.[1];
      const made = await this.api.createSessionShare({
        params: { session_id: this.sessionId },
        body: {
          role: this.linkRole.value as Role,
          link: true,
          ...(expires ? { expires_in_sec: expires } : {}),
        },
      });
      const url = made.link_url ?? '';
      this.linkOut.value = url;
      this.linkOut.hidden = false;
      this.linkOut.select();
      try {
        await navigator.clipboard.writeText(url);
        this.flash('Share link copied');
      } catch {
        this.flash('Copy the share link below');
      }
      await this.refresh();
    });
  }

  private async refresh(): Promise<void> {
    await this.run(async () => {
      const { shares } = await this.api.listSessionShares({
        params: { session_id: this.sessionId },
      });
      clear(this.list);
      if (shares.length === 0) this.list.append(h('li.empty', { text: 'Nobody yet.' }));
      for (const s of shares) this.list.append(this.row(s));
    });
  }

  private row(s: Share): HTMLElement {
    const who =
      s.kind === 'link'
        ? `Link${s.used_by.length ? ` (used by ${s.used_by.map((u) => u.display_name).join(', ')})` : ''}`
        : (s.email ?? s.subject ?? '');
    const until = s.expires_at ? ` · until ${new Date(s.expires_at).toLocaleString()}` : '';
    return h(
      'li.share-item',
      { 'data-share': s.id },
      h('span.share-who', { text: who }),
      h('span.share-role', { text: `${s.role}${until}` }),
      h(
        'button.ghost',
        {
          'data-testid': 'share-revoke',
          title: 'Revoke: their live connections are cut',
          onclick: () =>
            void this.run(async () => {
              await this.api.revokeSessionShare({
                params: { session_id: this.sessionId, share_id: s.id },
              });
              this.flash(`Revoked ${who}`);
              await this.refresh();
            }),
        },
        'Revoke',
      ),
    );
  }
}

function roleSelect(testid: string): HTMLSelectElement {
  return h<'select'>(
    'select',
    { 'data-testid': testid, title: 'Viewers watch; collaborators also drive' },
    h('option', { value: 'viewer' }, 'viewer'),
    h('option', { value: 'collaborator' }, 'collaborator'),
  );
}
