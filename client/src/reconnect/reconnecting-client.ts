import { BrowserPaneClient, type BrowserPaneClientOptions, type ClientEvent } from '../client.ts';
import { prepareDecodeWorker } from '../render/decode-pool.ts';
import type { BackoffPolicy } from './backoff.ts';
import { type ConnectionState, type Link, Reconnector } from './reconnector.ts';

/** What a connect needs from the page: a fresh ticket and the relay it is for. */
export interface RelayTicket {
  /** The relay URL of the ticket answer (`relay_url`): follows the session to another host. */
  readonly relayUrl: string;
  readonly ticket: string;
  readonly certSha256Hex?: string | null;
}

export interface ReconnectingClientOptions
  extends Omit<BrowserPaneClientOptions, 'relayUrl' | 'ticket' | 'certSha256Hex'> {
  /**
   * Mints a connect ticket for each attempt (a console asks the edge:
   * `POST /api/v1/sessions/{id}/access-tokens`). Throw `FinalConnectError` when retrying cannot
   * help (the session is gone); any other error is retried with backoff.
   */
  getTicket(info: { readonly attempt: number }): Promise<RelayTicket>;
  backoff?: Partial<BackoffPolicy>;
}

/** Events of a reconnecting live view: the current client's, plus its own. */
export type ReconnectingEvent =
  | ClientEvent
  | { type: 'state'; state: ConnectionState }
  /** A new connection is up (a new `BrowserPaneClient`: bind controls to it). */
  | { type: 'client'; client: BrowserPaneClient }
  /**
   * Keys or clicks the person gave while there was no connection: they were not sent, and are
   * not sent later (see `ReconnectingClient`).
   */
  | { type: 'inputDropped'; keys: number; clicks: number };

class ClientLink implements Link {
  private resolveClosed!: (info: { code: number; reason: string }) => void;
  readonly closed = new Promise<{ code: number; reason: string }>((resolve) => {
    this.resolveClosed = resolve;
  });
  constructor(readonly client: BrowserPaneClient) {}
  /** Subscribes once it is adopted (the client keeps early events until its first listener). */
  listen(forward: (e: ClientEvent) => void): void {
    this.client.on((e) => {
      if (e.type === 'closed') this.resolveClosed({ code: e.code, reason: e.reason });
      forward(e);
    });
  }
  disconnect(): void {
    this.client.destroy();
  }
}

/**
 * A live view that survives relay drops: the first connection and every reconnect ask the page
 * for a fresh ticket, reconnect with backoff ({@link Reconnector}), and resume with the relay's
 * full refresh of the picture. Until then the last picture stays, frozen.
 *
 * Input given while disconnected is dropped, not queued: the person cannot see what it would land
 * on, the page may have changed or been restarted from a saved profile on another host meanwhile,
 * and a replayed Enter or click could submit or buy something twice. Each dropped key or click is
 * counted and reported (`inputDropped`) so the person knows to type it again.
 */
export class ReconnectingClient {
  private readonly reconnector: Reconnector<ClientLink>;
  private readonly listeners = new Set<(e: ReconnectingEvent) => void>();
  private readonly dropped = { keys: 0, clicks: 0 };
  private previous: BrowserPaneClient | undefined;
  private readonly removeInputWatch: () => void;
  private dropTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ReconnectingClientOptions) {
    this.reconnector = new Reconnector<ClientLink>({
      open: (attempt) => this.open(attempt),
      onLink: (link) => this.onLink(link),
      onState: (state) => this.emit({ type: 'state', state }),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
    this.removeInputWatch = this.watchInput(options.container);
  }

  /** Starts connecting (after listeners are in place). */
  start(): this {
    this.reconnector.start();
    return this;
  }

  /** The client of the current connection (undefined while there is none). */
  get client(): BrowserPaneClient | undefined {
    return this.reconnector.link?.client;
  }

  get state(): ConnectionState {
    return this.reconnector.state;
  }

  on(listener: (e: ReconnectingEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tries now: after it gave up, after an ended session, or instead of waiting out a backoff. */
  retry(): void {
    this.reconnector.retry();
  }

  /** Disconnects for good and removes the picture. */
  close(): void {
    this.reconnector.close();
    this.previous?.destroy();
    this.previous = undefined;
    this.removeInputWatch();
    clearTimeout(this.dropTimer);
  }

  private async open(attempt: number): Promise<ClientLink> {
    // the picture's decoder starts while the ticket is minted and the relay answers
    if (this.options.workerUrl) prepareDecodeWorker(this.options.workerUrl);
    const ticket = await this.options.getTicket({ attempt });
    const { getTicket: _getTicket, backoff: _backoff, ...rest } = this.options;
    const client = await BrowserPaneClient.connect({
      ...rest,
      relayUrl: ticket.relayUrl,
      ticket: ticket.ticket,
      certSha256Hex: ticket.certSha256Hex ?? null,
    });
    return new ClientLink(client);
  }

  private onLink(link: ClientLink): void {
    // the frozen picture of the dropped connection gives way to the new one's full refresh
    this.previous?.destroy();
    this.previous = link.client;
    this.emit({ type: 'client', client: link.client });
    link.listen((e) => this.emit(e));
  }

  /** Counts keys and clicks given while not live (capture phase: before the stage sees them). */
  private watchInput(container: HTMLElement): () => void {
    const offline = () => this.reconnector.state.phase !== 'live';
    const onKey = (e: KeyboardEvent) => {
      if (!offline() || ['Shift', 'Control', 'Alt', 'Meta'].includes(e.key)) return;
      e.preventDefault();
      this.dropped.keys++;
      this.reportDropped();
    };
    const onPointer = (e: PointerEvent) => {
      if (!offline()) return;
      e.preventDefault();
      this.dropped.clicks++;
      this.reportDropped();
    };
    container.addEventListener('keydown', onKey, true);
    container.addEventListener('pointerdown', onPointer, true);
    return () => {
      container.removeEventListener('keydown', onKey, true);
      container.removeEventListener('pointerdown', onPointer, true);
    };
  }

  /** One report per burst of typing, not one per key. */
  private reportDropped(): void {
    clearTimeout(this.dropTimer);
    this.dropTimer = setTimeout(() => {
      const { keys, clicks } = this.dropped;
      this.dropped.keys = 0;
      this.dropped.clicks = 0;
      if (keys || clicks) this.emit({ type: 'inputDropped', keys, clicks });
    }, 300);
  }

  private emit(e: ReconnectingEvent): void {
    for (const l of this.listeners) l(e);
  }
}
