/**
 * What one client may make the relay send on request. Refresh requests, cache-miss repairs and
 * pings each cost the relay work (and a refresh or a repair costs bytes) for a few bytes from the
 * client, so each is metered per client by a token bucket: a burst, then a steady rate. Over the
 * budget a ping goes unanswered, and a refresh or a repair is folded into one refresh sent when
 * the budget allows — the client still converges on the right picture, just not faster than that.
 */
export interface RequestLimits {
  /** Full pictures on request: this many at once, then `refreshPerSecond`. */
  readonly refreshBurst: number;
  readonly refreshPerSecond: number;
  /** Bytes of pictures and repairs sent on request: a burst, then a steady rate. */
  readonly solicitedBurstBytes: number;
  readonly solicitedBytesPerSecond: number;
  /** Pings answered: a burst, then a steady rate (clients ping every few seconds). */
  readonly pingBurst: number;
  readonly pingPerSecond: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  refreshBurst: 4,
  refreshPerSecond: 2,
  solicitedBurstBytes: 4 * 1024 * 1024,
  solicitedBytesPerSecond: 1024 * 1024,
  pingBurst: 20,
  pingPerSecond: 10,
};

/** A token bucket: `burst` tokens, refilled at `perSecond`; spending may run it into debt. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.at = now();
  }

  /** Tokens available now (negative while in debt). */
  available(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) / 1000) * this.perSecond);
    this.at = t;
    return this.tokens;
  }

  /** Takes `n` tokens if there are that many. */
  take(n = 1): boolean {
    if (this.available() < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Spends `n` tokens whatever the balance (bytes already sent). */
  spend(n: number): void {
    this.available();
    this.tokens -= n;
  }

  /** Milliseconds until `n` tokens are available (0 when they are). */
  msUntil(n = 1): number {
    const missing = n - this.available();
    return missing <= 0 ? 0 : Math.ceil((missing / this.perSecond) * 1000);
  }
}

/** One client's buckets. */
export class RequestBudget {
  readonly refresh: TokenBucket;
  readonly solicitedBytes: TokenBucket;
  readonly ping: TokenBucket;
  /** Requests refused or folded into a later refresh, by kind (stats). */
  throttled = 0;

  constructor(limits: RequestLimits = DEFAULT_REQUEST_LIMITS, now?: () => number) {
    this.refresh = new TokenBucket(limits.refreshBurst, limits.refreshPerSecond, now);
    this.solicitedBytes = new TokenBucket(
      limits.solicitedBurstBytes,
      limits.solicitedBytesPerSecond,
      now,
    );
    this.ping = new TokenBucket(limits.pingBurst, limits.pingPerSecond, now);
  }

  /** Whether a picture may go out on request now (a refresh token and bytes left). */
  mayRefresh(): boolean {
    return this.solicitedBytes.available() > 0 && this.refresh.take();
  }

  /** How long until {@link mayRefresh} can be true. */
  msUntilRefresh(): number {
    return Math.max(this.refresh.msUntil(1), this.solicitedBytes.msUntil(1));
  }
}
