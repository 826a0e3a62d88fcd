import { describe, expect, it } from 'vitest';
import { RttSettler } from '../console/rtt-settler.ts';

describe('console round-trip display', () => {
  it('shows nothing for the busy first measurement, then the median of the latest', () => {
    const rtt = new RttSettler();
    expect(rtt.add(0)).toBeUndefined();
    expect(rtt.add(739)).toBeUndefined();
    // the same reading polled again is not a new measurement
    expect(rtt.add(739)).toBeUndefined();
    expect(rtt.add(2.1)).toBe(2.1);
    expect(rtt.add(1.5)).toBe(2.1);
    expect(rtt.add(1.7)).toBe(1.7);
    expect(rtt.add(90)).toBe(2.1);
    rtt.reset();
    expect(rtt.add(5)).toBeUndefined();
  });
});
