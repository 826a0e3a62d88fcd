import { describe, expect, it } from 'vitest';
import { PictureClock } from '../src/picture/picture-clock.ts';

describe('picture clock', () => {
  it('times tile pictures by when the host captured them, however late the worker composed them', () => {
    // first picture at worker time 1000 ms, showing a frame the host captured at 5_000_000 µs
    const clock = new PictureClock(1000, 5_000_000);
    // frames captured 1 s and 3 s in, which the worker got to 1.4 s and 0.5 s late
    expect(clock.at(3400, 6_000_000)).toBe(1000);
    expect(clock.at(4500, 8_000_000)).toBe(3000);
    // a picture that changed only by video or the cursor: the worker's clock less the last lag
    expect(clock.at(4600, 8_000_000)).toBe(3100);
    expect(clock.end(5500)).toBe(4000);
  });

  it('never goes back, whatever the clocks say', () => {
    const clock = new PictureClock(0, 10_000_000);
    expect(clock.at(100, 10_100_000)).toBe(100);
    // a frame stamped earlier than the last (a catch-up picture of an older capture)
    expect(clock.at(200, 10_050_000)).toBe(101);
    expect(clock.at(250, undefined)).toBeGreaterThan(101);
    // the first picture is at 0: the next is after it even when captured at the same instant
    expect(new PictureClock(0, 7).at(0, 7)).toBe(1);
  });

  it('estimates now for hold frames without moving the clock', () => {
    const clock = new PictureClock(1000, 5_000_000);
    expect(clock.at(3400, 6_000_000)).toBe(1000); // 1.4 s of lag measured
    expect(clock.estimate(5400)).toBe(3000);
    // the estimate did not advance the clock: an earlier capture still gets its own time
    expect(clock.at(5500, 6_500_000)).toBe(1500);
  });
});
