// Routes Playwright downloads from every page of a session (Playwright emits `download` on Page only,
// never on BrowserContext): to the `download` verb while it waits, else to passive capture.

import type { BrowserContext, Download, Page } from 'playwright-core';

export type DownloadHandler = (download: Download, page: Page) => void;

/** Held by a running `download` verb: the first download is its own, later ones are duplicates. */
export class DownloadClaim {
  readonly #router: DownloadRouter;
  readonly first: Promise<Download>;
  #resolve!: (download: Download) => void;
  #taken = false;

  constructor(router: DownloadRouter) {
    this.#router = router;
    this.first = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  deliver(download: Download): void {
    if (this.#taken) {
      // the verb already has its file (from this or another capture source)
      download.cancel().catch(() => {});
      return;
    }
    this.#taken = true;
    this.#resolve(download);
  }

  /** Marks the verb satisfied by another source: later downloads are dropped as duplicates. */
  settle(): void {
    this.#taken = true;
  }

  release(): void {
    this.#router.unclaim(this);
  }
}

export class DownloadRouter {
  readonly #attached = new WeakSet<Page>();
  #claim: DownloadClaim | null = null;
  #passive: DownloadHandler | null = null;

  constructor(context: BrowserContext) {
    for (const page of context.pages()) this.attach(page);
    context.on('page', (page) => this.attach(page));
  }

  /** Passive capture: where downloads go when no verb claims them (null = left to the browser). */
  setPassive(handler: DownloadHandler | null): void {
    this.#passive = handler;
  }

  attach(page: Page): void {
    if (this.#attached.has(page)) return;
    this.#attached.add(page);
    page.on('download', (download) => this.#route(download, page));
  }

  claim(): DownloadClaim {
    const claim = new DownloadClaim(this);
    this.#claim = claim;
    return claim;
  }

  unclaim(claim: DownloadClaim): void {
    if (this.#claim === claim) this.#claim = null;
  }

  #route(download: Download, page: Page): void {
    if (this.#claim) this.#claim.deliver(download);
    else this.#passive?.(download, page);
  }
}
