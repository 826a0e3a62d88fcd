import type { CdpClient, CdpSession } from './cdp-client.ts';

/** A page target as `Target.getTargets` reports it. */
export interface PageTarget {
  readonly targetId: string;
  readonly url: string;
  readonly title: string;
  readonly attached: boolean;
}

/** Every page (tab) target of the browser, in Chromium's order. */
export async function listPages(browser: CdpClient): Promise<PageTarget[]> {
  const { targetInfos } = await browser.send<{
    targetInfos: Array<{
      targetId: string;
      type: string;
      url: string;
      title: string;
      attached: boolean;
    }>;
  }>('Target.getTargets');
  return targetInfos
    .filter((t) => t.type === 'page')
    .map((t) => ({ targetId: t.targetId, url: t.url, title: t.title, attached: t.attached }));
}

/**
 * Keeps one flattened session per page target and finds the tab the user sees: the page whose
 * document is visible (only the active tab of a window is) and, among those, the focused one.
 */
export class PageSessions {
  readonly #browser: CdpClient;
  readonly #sessions = new Map<string, Promise<CdpSession>>();

  constructor(browser: CdpClient) {
    this.#browser = browser;
    browser.on('Target.targetDestroyed', (params) => {
      this.#sessions.delete(String(params.targetId));
    });
    browser.on('Target.detachedFromTarget', (params) => {
      for (const [targetId, p] of this.#sessions) {
        void p.then(
          (s) => {
            if (s.id === params.sessionId) this.#sessions.delete(targetId);
          },
          () => undefined,
        );
      }
    });
  }

  /** The session for `targetId`, attaching on first use. */
  session(targetId: string): Promise<CdpSession> {
    let p = this.#sessions.get(targetId);
    if (!p) {
      p = this.#browser.attach(targetId);
      p.catch(() => this.#sessions.delete(targetId));
      this.#sessions.set(targetId, p);
    }
    return p;
  }

  /** The visible, preferably focused, page; undefined when there is no page. */
  async activePage(): Promise<CdpSession | undefined> {
    const pages = await listPages(this.#browser);
    let visible: CdpSession | undefined;
    for (const page of pages) {
      if (page.url.startsWith('devtools://')) continue;
      const session = await this.session(page.targetId).catch(() => undefined);
      if (!session) continue;
      const state = await session
        .send<{ result: { value?: string } }>(
          'Runtime.evaluate',
          {
            expression: "document.visibilityState + (document.hasFocus() ? ':focus' : '')",
            returnByValue: true,
          },
          2000,
        )
        .catch(() => undefined);
      const value = state?.result.value ?? '';
      if (value === 'visible:focus') return session;
      if (value.startsWith('visible') && !visible) visible = session;
    }
    return visible;
  }
}
