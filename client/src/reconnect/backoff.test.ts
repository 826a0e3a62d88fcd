import { describe, expect, it } from 'vitest';
import { backoffDelay, backoffPolicy, DEFAULT_BACKOFF } from './backoff.ts';

describe('backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    const p = backoffPolicy({ initialMs: 500, maxMs: 8_000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6, 12].map((a) => backoffDelay(p, a))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000,
    ]);
  });

  it('takes up to the jitter fraction off each delay, never more and never adds', () => {
    const p = backoffPolicy({ initialMs: 1_000, maxMs: 1_000, jitter: 0.5 });
    expect(backoffDelay(p, 3, () => 0)).toBe(1_000);
    expect(backoffDelay(p, 3, () => 0.999_999)).toBe(500);
    expect(backoffDelay(p, 3, () => 0.5)).toBe(750);
  });

  it('spreads clients dropped at once over the window', () => {
    const delays = new Set(
      Array.from({ length: 50 }, () => backoffDelay(DEFAULT_BACKOFF, 5, Math.random)),
    );
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(4_000);
      expect(d).toBeLessThanOrEqual(8_000);
    }
  });

  it('refuses settings that would spin or never retry', () => {
    expect(() => backoffPolicy({ initialMs: 0 })).toThrow(/initialMs/);
    expect(() => backoffPolicy({ initialMs: 2_000, maxMs: 1_000 })).toThrow(/maxMs/);
    expect(() => backoffPolicy({ factor: 0.5 })).toThrow(/factor/);
    expect(() => backoffPolicy({ jitter: 2 })).toThrow(/jitter/);
    expect(() => backoffPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
  });
});
