import { h } from '../dom.ts';

export interface ShareActions {
  /** Opens the "Share with people" panel (owners only; absent for others). */
  people?(): void;
  /** Opens the session in a new window as `role`. */
  open(role: 'owner' | 'viewer'): void;
  /** Copies a viewer link; resolves with what to tell the user. */
  copyLink(): Promise<string>;
}

/**
 * The toolbar's Share menu: share with other people (invitations and links, for the owner), open
 * the session in a new window as a viewer or as another participant, or copy a viewer link. One button in the toolbar instead of three, so the toolbar
 * fits on narrow screens.
 */
export class ShareMenu {
  readonly element: HTMLElement;
  private readonly menu: HTMLElement;
  private readonly closeOnOutside = (e: MouseEvent) => {
    if (!this.element.contains(e.target as Node)) this.close();
  };

  constructor(
    private readonly actions: ShareActions,
    private readonly flash: (text: string) => void,
  ) {
    const item = (label: string, title: string, run: () => void, testid: string) =>
      h(
        'button.menu-item',
        {
          title,
          'data-testid': testid,
          onclick: () => {
            this.close();
            run();
          },
        },
        label,
      );
    this.menu = h(
      'div.menu',
      { role: 'menu', hidden: true },
      actions.people
        ? item(
            'Share with people…',
            'Invite someone as a viewer or collaborator, or make a link',
            () => actions.people?.(),
            'share-people',
          )
        : undefined,
      item(
        'Open as viewer',
        'Open this session in a new window as a viewer',
        () => actions.open('viewer'),
        'open-viewer',
      ),
      item(
        'New window',
        'Open this session in a new window as another participant',
        () => actions.open('owner'),
        'open-owner',
      ),
      item(
        'Copy viewer link',
        'Copy a link that opens this session as a viewer',
        () => void this.actions.copyLink().then(this.flash),
        'copy-link',
      ),
    );
    this.element = h(
      'div.menu-anchor',
      {},
      h(
        'button.ghost',
        {
          'data-testid': 'share',
          'aria-haspopup': 'menu',
          title: 'Watch in another window or invite a viewer',
          onclick: () => (this.menu.hidden ? this.openMenu() : this.close()),
        },
        'Share ▾',
      ),
      this.menu,
    );
  }

  private openMenu(): void {
    this.menu.hidden = false;
    document.addEventListener('mousedown', this.closeOnOutside);
  }

  private close(): void {
    this.menu.hidden = true;
    document.removeEventListener('mousedown', this.closeOnOutside);
  }
}
