// One named browser session: its vendor allocation, the page every verb uses, and the per-session
// instrumentation (console tail, page hooks, download routing, recording).

import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PageHooks } from '../downloads/page-hooks.ts';
import type { VerbActivity } from '../downloads/passive.ts';
import type { DownloadRouter } from '../downloads/router.ts';
import type { SignedUrlTracker } from '../downloads/signed-url.ts';
import type { ConsoleBuffer } from '../failure/console-buffer.ts';
import type { SessionRecording } from '../recording/session-recording.ts';
import type { Allocation, PausedSession, Vendor } from './vendors/types.ts';

export interface SessionParts {
  name: string;
  vendor: Vendor;
  allocation: Allocation;
  restored: boolean;
  liveUrl: string | null;
  /** Set when this runtime connected over CDP (closed at shutdown); null for vendor-held browsers. */
  browser: Browser | null;
  context: BrowserContext;
  page: Page;
  console: ConsoleBuffer;
  hooks: PageHooks;
  signed: SignedUrlTracker;
  downloads: DownloadRouter;
}

const SETTLE_LIMIT_MS = 30_000;
const POPUP_GRACE_MS = 2_000;

export class Session {
  readonly name: string;
  readonly vendor: Vendor;
  readonly allocation: Allocation;
  readonly restored: boolean;
  readonly liveUrl: string | null;
  readonly browser: Browser | null;
  readonly context: BrowserContext;
  readonly console: ConsoleBuffer;
  readonly hooks: PageHooks;
  readonly signed: SignedUrlTracker;
  readonly downloads: DownloadRouter;
  page: Page;
  recording: SessionRecording | null = null;
  /** The verb running (or last run) on this session, for download provenance. */
  readonly activity: VerbActivity = { verbIndex: null, verbName: null };
  #alive = true;
  readonly #inflight = new Set<Promise<void>>();

  constructor(parts: SessionParts) {
    this.name = parts.name;
    this.vendor = parts.vendor;
    this.allocation = parts.allocation;
    this.restored = parts.restored;
    this.liveUrl = parts.liveUrl;
    this.browser = parts.browser;
    this.context = parts.context;
    this.page = parts.page;
    this.console = parts.console;
    this.hooks = parts.hooks;
    this.signed = parts.signed;
    this.downloads = parts.downloads;
    this.context.on('close', () => {
      this.#alive = false;
    });
    this.browser?.on('disconnected', () => {
      this.#alive = false;
    });
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** The session page; a new one in the same context if the page was closed. */
  async usablePage(): Promise<Page> {
    if (this.page.isClosed()) {
      this.page =
        this.context.pages().find((page) => !page.isClosed()) ?? (await this.context.newPage());
      this.console.attach(this.page);
      this.downloads.attach(this.page);
    }
    return this.page;
  }

  /** Registers background work (a passive download) that the slice end waits for. */
  track(work: Promise<void>): void {
    this.#inflight.add(work);
    work.finally(() => this.#inflight.delete(work)).catch(() => {});
  }

  /**
   * A page opened during a slice (popup) may still turn into a download: the slice end waits until
   * it loads, closes or downloads (at most POPUP_GRACE_MS).
   */
  trackPopup(page: Page): void {
    this.track(
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POPUP_GRACE_MS);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        page.once('load', done);
        page.once('close', done);
        // the download's own capture is tracked separately
        page.once('download', done);
      }),
    );
  }

  /** Waits (bounded) for tracked background work. */
  async settle(): Promise<void> {
    if (this.#inflight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SETTLE_LIMIT_MS);
    });
    await Promise.race([Promise.allSettled([...this.#inflight]), limit]);
    clearTimeout(timer);
  }

  pausedState(): PausedSession {
    return {
      vendor: this.vendor.name,
      name: this.name,
      sid: this.allocation.sessionId,
      cdpUrl: this.allocation.cdpUrl,
      liveUrl: this.liveUrl,
    };
  }
}
