/**
 * How long to wait before each reconnect attempt: exponential growth from `initialMs` by `factor`,
 * capped at `maxMs`, with jitter that takes up to `jitter` (a fraction) off each delay so many
 * clients dropped at once (a relay restart) do not come back in lockstep. After `maxAttempts`
 * failed attempts in a row the client gives up and waits for the person to retry.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** 0 … 1: a delay is drawn uniformly from [(1 − jitter) × d, d]. */
  readonly jitter: number;
  readonly maxAttempts: number;
}

/**
 * 0.5 s, 1 s, 2 s, 4 s, then 8 s (each up to half shorter): a host restart or re-placement after
 * a host loss (about 15 s to notice, a few to start) is covered well within the 12 attempts (≈ 75 s).
 */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 500,
  maxMs: 8_000,
  factor: 2,
  jitter: 0.5,
  maxAttempts: 12,
};

/** A policy from partial settings, each checked (a bad value is an error, not a busy loop). */
export function backoffPolicy(overrides: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const p = { ...DEFAULT_BACKOFF, ...overrides };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`backoff: ${what}`);
  };
  check(Number.isFinite(p.initialMs) && p.initialMs > 0, 'initialMs must be > 0');
  check(Number.isFinite(p.maxMs) && p.maxMs >= p.initialMs, 'maxMs must be ≥ initialMs');
  check(Number.isFinite(p.factor) && p.factor >= 1, 'factor must be ≥ 1');
  check(p.jitter >= 0 && p.jitter <= 1, 'jitter must be within 0 … 1');
  check(
    Number.isInteger(p.maxAttempts) && p.maxAttempts >= 1,
    'maxAttempts must be an integer ≥ 1',
  );
  return p;
}

/** The wait before attempt `attempt` (1-based); `random` returns a number in [0, 1). */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  const full = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  return Math.round(full * (1 - policy.jitter * random()));
}
