// One binding (`__wbEmit`) per session context through which in-page hooks report to the runtime:
// signed-URL candidates, blob captures, rrweb event batches.

import type { BrowserContext, Page } from 'playwright-core';
import type { Logger } from '../protocol/log.ts';
import { EMIT_BINDING, SIGNED_URL_HOOK } from './page-scripts.ts';

export type HookHandler = (page: Page | null, payload: unknown) => void;

export class PageHooks {
  readonly #handlers = new Map<string, Set<HookHandler>>();
  #ready = false;

  /** Installs the binding and the signed-URL hook (new documents and the ones already open). */
  static async install(context: BrowserContext, logger: Logger): Promise<PageHooks> {
    const hooks = new PageHooks();
    try {
      await context.exposeBinding(EMIT_BINDING, (source, kind: unknown, payload: unknown) => {
        hooks.#dispatch(source.page, kind, payload);
      });
      await context.addInitScript(SIGNED_URL_HOOK);
      await Promise.all(
        context.pages().map((page) => page.evaluate(SIGNED_URL_HOOK).catch(() => undefined)),
      );
      hooks.#ready = true;
    } catch (error) {
      logger.warn(
        `page hooks unavailable (signed-URL and blob capture off): ${(error as Error).message}`,
      );
    }
    return hooks;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Subscribes to one kind of report; returns the unsubscribe function. */
  on(kind: string, handler: HookHandler): () => void {
    let set = this.#handlers.get(kind);
    if (!set) {
      set = new Set();
      this.#handlers.set(kind, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  #dispatch(page: Page | null, kind: unknown, payload: unknown): void {
    const handlers = typeof kind === 'string' ? this.#handlers.get(kind) : undefined;
    if (!handlers) return;
    for (const handler of handlers) {
      try {
        handler(page, payload);
      } catch {
        // a faulty handler must not break the page's call
      }
    }
  }
}
