import { describe, expect, it } from 'vitest';
import { DamagedSurface } from '../src/picture/damaged-surface.ts';
import { RowDamage } from '../src/picture/row-damage.ts';

describe('changed rows', () => {
  it('merges marked rows into band-aligned runs, clipped to the picture, and starts clean', () => {
    const d = new RowDamage();
    d.reset(100);
    expect(d.take()).toEqual([{ from: 0, to: 100 }]);
    expect(d.changed).toBe(false);
    expect(d.take()).toEqual([]);
    d.mark(20, 5);
    d.mark(30, 3);
    d.mark(90, 40);
    d.mark(-10, 2);
    expect(d.take()).toEqual([
      { from: 16, to: 32 + 16 },
      { from: 80, to: 100 },
    ]);
  });

  it('the surface notes the rows each fill, put and copy changed', () => {
    const s = new DamagedSurface();
    s.resize(64, 64);
    s.damage.take();
    s.fill(0, 40, 8, 8, 0xff0000ff);
    expect(s.damage.take()).toEqual([{ from: 32, to: 48 }]);
    s.put(0, 0, 2, 2, new Uint8ClampedArray(16));
    expect(s.damage.take()).toEqual([{ from: 0, to: 16 }]);
    s.copy(0, 0, 4, 4, 0, 50);
    expect(s.damage.take()).toEqual([{ from: 48, to: 64 }]);
  });
});
