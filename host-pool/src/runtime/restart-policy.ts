/** When and how often a crashed browser is restarted. */
export interface RestartPolicy {
  /** Give up after this many restarts within `windowMs` (default 5 in 60 s). */
  readonly maxRestarts: number;
  readonly windowMs: number;
  /** Delay before the first restart; doubles per recent restart up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Up to 5 restarts a minute, 250 ms doubling to 8 s between them. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxRestarts: 5,
  windowMs: 60_000,
  initialDelayMs: 250,
  maxDelayMs: 8_000,
};

/** Exponential backoff over a sliding window of recent restarts. */
export class RestartTracker {
  readonly policy: RestartPolicy;
  #recent: number[] = [];

  constructor(policy: Partial<RestartPolicy>) {
    this.policy = { ...DEFAULT_RESTART_POLICY, ...policy };
  }

  /** Records a crash at `now`; returns the delay before restarting, or undefined to give up. */
  next(now: number): number | undefined {
    this.#recent = this.#recent.filter((t) => now - t < this.policy.windowMs);
    if (this.#recent.length >= this.policy.maxRestarts) return undefined;
    const delay = Math.min(
      this.policy.maxDelayMs,
      this.policy.initialDelayMs * 2 ** this.#recent.length,
    );
    this.#recent.push(now);
    return delay;
  }
}
