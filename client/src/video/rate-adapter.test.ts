import { describe, expect, it } from 'vitest';
import { MIN_HINT_KBPS, RateAdapter } from './rate-adapter.ts';

/** Feeds `kbps` of video for `ms` at 30 frames/s with the given decoder queue; returns the asks. */
function run(a: RateAdapter, from: number, ms: number, kbps: number, queue: number): number[] {
  const asks: number[] = [];
  for (let t = from; t < from + ms; t += 33) {
    a.received((kbps * 1000 * 0.033) / 8, t);
    const ask = a.observe(queue, t);
    if (ask !== undefined) asks.push(ask);
  }
  return asks;
}

describe('RateAdapter', () => {
  it('asks for nothing while decoding keeps up', () => {
    const a = new RateAdapter();
    expect(run(a, 1, 10_000, 2000, 0)).toEqual([]);
    expect(a.targetKbps).toBe(0);
  });

  it('backs off to 70 % of what arrives once decoding lags for half a second', () => {
    const a = new RateAdapter();
    run(a, 1, 3000, 2000, 0);
    expect(run(a, 3001, 400, 2000, 5)).toEqual([]);
    const asks = run(a, 3401, 200, 2000, 5);
    expect(asks).toHaveLength(1);
    expect(asks[0]).toBeGreaterThan(1300);
    expect(asks[0]).toBeLessThan(1500);
  });

  it('keeps backing off while it still lags, never below the floor', () => {
    const a = new RateAdapter();
    run(a, 1, 2000, 1000, 0);
    const asks = run(a, 2001, 20_000, 1000, 9);
    expect(asks.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < asks.length; i++)
      expect(asks[i]).toBeLessThanOrEqual(asks[i - 1] as number);
    expect(asks.at(-1)).toBe(MIN_HINT_KBPS);
  });

  it('recovers step by step once decoding keeps up, then lifts the limit', () => {
    const a = new RateAdapter();
    run(a, 1, 2000, 2000, 0);
    run(a, 2001, 600, 2000, 6);
    const low = a.targetKbps;
    expect(low).toBeGreaterThan(0);
    // the host now sends at the ask; decoding keeps up
    const rising = run(a, 2601, 7000, low, 0);
    expect(rising.length).toBeGreaterThanOrEqual(2);
    expect(rising[0]).toBe(Math.round(low * 1.25));
    // content got easy: far less arrives than asked, so the limit goes
    const lifted = run(a, 9601, 20_000, 100, 0);
    expect(lifted.at(-1)).toBe(0);
    expect(a.targetKbps).toBe(0);
  });

  it('does not count a single busy frame as lagging', () => {
    const a = new RateAdapter();
    const asks: number[] = [];
    for (let t = 1; t < 5000; t += 33) {
      a.received(8000, t);
      const ask = a.observe(t % 330 < 33 ? 4 : 0, t);
      if (ask !== undefined) asks.push(ask);
    }
    expect(asks).toEqual([]);
  });
});
