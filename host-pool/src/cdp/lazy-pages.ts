import { CdpClient, type CdpSession } from './cdp-client.ts';
import { PageSessions } from './page-targets.ts';

/**
 * A DevTools connection to a session's browser made on first use and remade when the browser
 * restarts (its endpoint changes), for asking about the tab a person sees.
 */
export class LazyPages {
  private client: CdpClient | undefined;
  private pages: PageSessions | undefined;
  private url: string | undefined;

  constructor(private readonly endpoint: () => string) {}

  /** The visible (preferably focused) tab; undefined when there is none. */
  async active(): Promise<CdpSession | undefined> {
    const url = this.endpoint();
    if (!this.client || this.client.closed || url !== this.url) {
      await this.client?.close().catch(() => undefined);
      this.client = await CdpClient.connect(url);
      this.pages = new PageSessions(this.client);
      this.url = url;
    }
    return this.pages?.activePage();
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.pages = undefined;
    await client?.close().catch(() => undefined);
  }
}
