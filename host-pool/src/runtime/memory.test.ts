import { describe, expect, it } from 'vitest';
import { type CgroupReader, freeMemory, usableMemory } from './memory.ts';

const GIB = 1024 ** 3;
const cgroup =
  (max: number | undefined, current: number | undefined): CgroupReader =>
  (file) =>
    file === 'memory.max' ? max : current;

describe('memory a host agent may use', () => {
  it('is the machine’s when no container limit applies', () => {
    expect(usableMemory(cgroup(undefined, undefined), 64 * GIB)).toBe(64 * GIB);
    expect(freeMemory(cgroup(undefined, 2 * GIB), 10 * GIB)).toBe(10 * GIB);
  });

  it('is the container’s limit when that is smaller', () => {
    expect(usableMemory(cgroup(4 * GIB, GIB), 64 * GIB)).toBe(4 * GIB);
    expect(freeMemory(cgroup(4 * GIB, 3 * GIB), 50 * GIB)).toBe(GIB);
  });

  it('never exceeds what the machine has, and is never negative', () => {
    expect(usableMemory(cgroup(128 * GIB, 0), 16 * GIB)).toBe(16 * GIB);
    expect(freeMemory(cgroup(4 * GIB, 5 * GIB), 8 * GIB)).toBe(0);
  });
});
