import { describe, expect, it } from 'vitest';
import { parseDuration, timeoutMs } from './duration.ts';

describe('parseDuration', () => {
  it('parses numbers and unit strings', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration(' 1.5s ')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('10 ms')).toBe(10);
    expect(parseDuration(30, 's')).toBe(30_000);
    expect(parseDuration('30', 's')).toBe(30_000);
  });

  it('rejects the rest', () => {
    for (const bad of ['', 'soon', '-1', '5d', null, undefined, Number.NaN, -3, {}, true]) {
      expect(parseDuration(bad)).toBeNull();
    }
    expect(timeoutMs('10s', 5)).toBe(10_000);
    expect(timeoutMs('ten', 5)).toBe(5);
  });
});
