import { CdpClient } from '../cdp/index.ts';
import type { Logger } from '../log.ts';

/** How often to try again while the browser is away (restarting after a crash). */
const RETRY_MS = 1000;

type Setup = (client: CdpClient) => Promise<void>;

/**
 * A browser-level DevTools connection that outlives browser restarts: when the socket closes
 * (Chromium crashed and the runtime restarts it), it reconnects to the current browser and runs
 * every registered setup again (download behaviour, file chooser interception).
 */
export class BrowserLink {
  private client: CdpClient | undefined;
  private readonly setups: Setup[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly url: () => string,
    private readonly log: Logger,
  ) {}

  /** Registers a setup; it runs on every (re)connection, in registration order. */
  onConnect(setup: Setup): void {
    this.setups.push(setup);
  }

  /** Connects (and keeps reconnecting in the background if the first attempt fails). */
  async start(): Promise<void> {
    await this.connect();
  }

  get current(): CdpClient | undefined {
    return this.client;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let client: CdpClient;
    try {
      client = await CdpClient.connect(this.url());
    } catch {
      this.retry();
      return;
    }
    if (this.closed) {
      await client.close();
      return;
    }
    this.client = client;
    client.onClose(() => {
      if (this.client === client) this.client = undefined;
      this.retry();
    });
    for (const setup of this.setups) {
      try {
        await setup(client);
      } catch (err) {
        this.log.warn('browser setup failed', { err: String(err) });
      }
    }
  }

  private retry(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), RETRY_MS);
    this.timer.unref();
  }
}
