import { afterEach, describe, expect, it, vi } from 'vitest';
import { Debouncer, resizeRequestFor, sameRequest } from './resize-request.ts';

describe('resizeRequestFor', () => {
  it('asks for the container in whole device pixels', () => {
    expect(resizeRequestFor({ width: 1279.6, height: 720.2, dpr: 1.5 })).toEqual({
      type: 'resizeRequest',
      width: 1280,
      height: 720,
      devicePixelRatioPercent: 150,
    });
  });

  it('stays inside the u16 wire range whatever the layout says', () => {
    expect(resizeRequestFor({ width: 0, height: 1e9, dpr: 0 })).toEqual({
      type: 'resizeRequest',
      width: 1,
      height: 65535,
      devicePixelRatioPercent: 100,
    });
    expect(resizeRequestFor({ width: Number.NaN, height: -3, dpr: 2 })).toMatchObject({
      width: 1,
      height: 1,
    });
  });

  it('recognises a repeated request', () => {
    const a = resizeRequestFor({ width: 800, height: 600, dpr: 1 });
    expect(sameRequest(undefined, a)).toBe(false);
    expect(sameRequest(a, { ...a })).toBe(true);
    expect(sameRequest(a, { ...a, height: 601 })).toBe(false);
  });
});

describe('Debouncer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once, after the burst', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const d = new Debouncer(150, fn);
    d.schedule();
    vi.advanceTimersByTime(100);
    d.schedule();
    vi.advanceTimersByTime(100);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60);
    expect(fn).toHaveBeenCalledTimes(1);
    d.schedule();
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
