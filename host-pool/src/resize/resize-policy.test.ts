import { describe, expect, it } from 'vitest';
import { ackStatus, DEFAULT_SIZE_LIMITS, fitSize } from './resize-policy.ts';

describe('fitSize', () => {
  it('keeps an even size inside the limits as asked', () => {
    expect(fitSize({ width: 1280, height: 720 })).toEqual({
      width: 1280,
      height: 720,
      clamped: false,
    });
  });

  it('rounds odd edges down to even and says so', () => {
    expect(fitSize({ width: 1001, height: 599 })).toEqual({
      width: 1000,
      height: 598,
      clamped: true,
    });
  });

  it('clamps to the minimum and maximum', () => {
    expect(fitSize({ width: 10, height: 5000 })).toEqual({
      width: DEFAULT_SIZE_LIMITS.minWidth,
      height: DEFAULT_SIZE_LIMITS.maxHeight,
      clamped: true,
    });
    expect(fitSize({ width: 65535, height: 1 })).toMatchObject({ width: 3840, height: 200 });
  });

  it('treats garbage as the minimum instead of failing', () => {
    expect(fitSize({ width: Number.NaN, height: -4 })).toEqual({
      width: 320,
      height: 200,
      clamped: true,
    });
  });

  it('honours custom limits', () => {
    const limits = { minWidth: 100, minHeight: 100, maxWidth: 801, maxHeight: 601 };
    expect(fitSize({ width: 2000, height: 2000 }, limits)).toMatchObject({
      width: 800,
      height: 600,
    });
  });
});

describe('ackStatus', () => {
  it('is applied only when the screen shows exactly what was asked', () => {
    const fitted = fitSize({ width: 800, height: 600 });
    expect(ackStatus(fitted, { width: 800, height: 600 })).toBe('applied');
    expect(ackStatus(fitted, { width: 798, height: 600 })).toBe('clamped');
    expect(ackStatus(fitSize({ width: 801, height: 600 }), { width: 800, height: 600 })).toBe(
      'clamped',
    );
  });
});
