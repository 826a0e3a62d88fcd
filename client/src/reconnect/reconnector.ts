import { type BackoffPolicy, backoffDelay, backoffPolicy } from './backoff.ts';
import { isFinalClose } from './close-kinds.ts';

/** How a link (one relay connection) ended. */
export interface LinkClose {
  readonly code: number;
  readonly reason: string;
}

/** One connection to a relay, as far as reconnecting cares. */
export interface Link {
  readonly closed: Promise<LinkClose>;
  disconnect(): void;
}

/**
 * Where the live view is, for the person watching it:
 * - `connecting`: the first connection is being made;
 * - `live`: connected (`reconnects` counts the recoveries so far);
 * - `reconnecting`: the connection dropped; attempt `attempt` of `maxAttempts` starts at
 *   `nextAttemptAt` (epoch ms) or is under way (`nextAttemptAt` passed);
 * - `gave_up`: `maxAttempts` attempts failed in a row; `retry()` starts again;
 * - `ended`: the session or this connection was ended on purpose (stopped, disconnected by the
 *   owner …): not retried by itself, `retry()` still can;
 * - `closed`: this page closed it.
 */
export type ConnectionState =
  | { readonly phase: 'connecting' }
  | { readonly phase: 'live'; readonly reconnects: number }
  | {
      readonly phase: 'reconnecting';
      readonly attempt: number;
      readonly maxAttempts: number;
      readonly nextAttemptAt: number;
      readonly reason: string;
    }
  | { readonly phase: 'gave_up'; readonly attempts: number; readonly reason: string }
  | { readonly phase: 'ended'; readonly code: number; readonly reason: string }
  | { readonly phase: 'closed' };

/** An error from opening a link (or fetching its ticket) that retrying cannot fix. */
export class FinalConnectError extends Error {
  override readonly name = 'FinalConnectError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface ReconnectorOptions<L extends Link> {
  /** Opens a link; `attempt` is 0 for the first connection, then 1, 2 … after a drop. */
  open(attempt: number): Promise<L>;
  /** A new link is up (the previous one, if any, is closed): show it. */
  onLink(link: L): void;
  onState(state: ConnectionState): void;
  backoff?: Partial<BackoffPolicy>;
  timers?: Timers;
  random?: () => number;
}

/**
 * Keeps one link up: opens it, and when it drops (not on purpose) opens a new one with
 * exponential backoff and jitter, each attempt through `open` (which fetches a fresh ticket, so a
 * session that moved to another host is followed to its new relay). Only one attempt runs at a
 * time; an attempt that finishes after `close()` or `retry()` is discarded.
 */
export class Reconnector<L extends Link> {
  private readonly policy: BackoffPolicy;
  private readonly timers: Timers;
  private readonly random: () => number;
  private current: L | undefined;
  private timer: unknown;
  /** Bumped whenever an attempt's outcome stops mattering (close, retry, a newer attempt). */
  private generation = 0;
  private reconnects = 0;
  private stateNow: ConnectionState = { phase: 'connecting' };

  constructor(private readonly options: ReconnectorOptions<L>) {
    this.policy = backoffPolicy(options.backoff);
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
  }

  get state(): ConnectionState {
    return this.stateNow;
  }

  get link(): L | undefined {
    return this.current;
  }

  start(): void {
    if (this.stateNow.phase !== 'connecting' || this.generation !== 0) return;
    this.attempt(0, 'first connection');
  }

  /** Tries again now (after giving up, after an ended session, or to skip a backoff wait). */
  retry(): void {
    if (this.stateNow.phase === 'closed' || this.stateNow.phase === 'live') return;
    this.timers.clearTimeout(this.timer);
    this.attempt(1, 'retry');
  }

  /** Closes the live view for good (the page leaves). */
  close(): void {
    this.generation++;
    this.timers.clearTimeout(this.timer);
    const link = this.current;
    this.current = undefined;
    this.setState({ phase: 'closed' });
    link?.disconnect();
  }

  private attempt(attempt: number, reason: string): void {
    const generation = ++this.generation;
    if (attempt === 0) this.setState({ phase: 'connecting' });
    else
      this.setState({
        phase: 'reconnecting',
        attempt,
        maxAttempts: this.policy.maxAttempts,
        nextAttemptAt: this.timers.now(),
        reason,
      });
    this.options.open(attempt).then(
      (link) => {
        if (generation !== this.generation) return link.disconnect();
        this.adopt(link, attempt);
      },
      (err: unknown) => {
        if (generation !== this.generation) return;
        const message = (err as Error)?.message ?? String(err);
        if (
          err instanceof FinalConnectError ||
          isFinalClose((err as { code?: number })?.code ?? -1)
        )
          this.setState({
            phase: 'ended',
            code: (err as { code?: number }).code ?? 0,
            reason: message,
          });
        else this.schedule(attempt + 1, message);
      },
    );
  }

  private adopt(link: L, attempt: number): void {
    const generation = this.generation;
    this.current = link;
    if (attempt > 0) this.reconnects++;
    this.options.onLink(link);
    this.setState({ phase: 'live', reconnects: this.reconnects });
    void link.closed.then((info) => {
      if (generation !== this.generation || this.current !== link) return;
      this.current = undefined;
      if (isFinalClose(info.code))
        this.setState({ phase: 'ended', code: info.code, reason: info.reason });
      else this.schedule(1, info.reason || 'connection lost');
    });
  }

  private schedule(attempt: number, reason: string): void {
    const generation = ++this.generation;
    if (attempt > this.policy.maxAttempts) {
      this.setState({ phase: 'gave_up', attempts: attempt - 1, reason });
      return;
    }
    const delay = backoffDelay(this.policy, attempt, this.random);
    this.setState({
      phase: 'reconnecting',
      attempt,
      maxAttempts: this.policy.maxAttempts,
      nextAttemptAt: this.timers.now() + delay,
      reason,
    });
    this.timer = this.timers.setTimeout(() => {
      if (generation === this.generation) this.attempt(attempt, reason);
    }, delay);
  }

  private setState(state: ConnectionState): void {
    this.stateNow = state;
    this.options.onState(state);
  }
}
