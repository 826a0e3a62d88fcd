import { LazyPages } from './lazy-pages.ts';

/** The tab a person sees, as its host reports it to the edge. */
export interface PageSummary {
  readonly title: string;
  readonly url: string;
}

const MAX_TITLE = 300;
const MAX_URL = 2048;

/**
 * Reads the title and address of the visible tab from the browser (DevTools target info, not the
 * page's own script, which could say anything), clipped to what the edge accepts.
 */
export class PageTitle {
  private readonly pages: LazyPages;
  private last: PageSummary | undefined;

  constructor(endpoint: () => string) {
    this.pages = new LazyPages(endpoint);
  }

  /** The last summary read; undefined before the first. */
  current(): PageSummary | undefined {
    return this.last;
  }

  /** Reads it again; keeps the last one when the browser does not answer. */
  async refresh(): Promise<PageSummary | undefined> {
    try {
      const page = await this.pages.active();
      if (!page) return this.last;
      const { targetInfo } = await page.send<{ targetInfo: { title?: unknown; url?: unknown } }>(
        'Target.getTargetInfo',
        {},
        1500,
      );
      this.last = {
        title: clip(targetInfo.title, MAX_TITLE),
        url: clip(targetInfo.url, MAX_URL),
      };
    } catch {
      // the browser is restarting or busy: the last summary stands
    }
    return this.last;
  }

  close(): Promise<void> {
    return this.pages.close();
  }
}

function clip(value: unknown, max: number): string {
  return typeof value === 'string' ? value.replaceAll('\u0000', '').slice(0, max) : '';
}
