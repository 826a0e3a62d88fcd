import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log.ts';
import type { StartedRuntime } from './started-runtime.ts';
import { WarmPool } from './warm-pool.ts';

/** A started runtime stand-in: what the pool reads of one (its state, its directory). */
function fakeRuntime(name: string): StartedRuntime {
  return {
    sessionDir: `/tmp/${name}`,
    runtime: { state: 'running', kill: async () => {} },
    afterStop: async () => {},
  } as unknown as StartedRuntime;
}

describe('WarmPool refills', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts the next runtime a moment after a session took one, not beside its start', async () => {
    vi.useFakeTimers();
    const starts: string[] = [];
    const pool = new WarmPool(
      1,
      async (name) => {
        starts.push(name);
        return fakeRuntime(name);
      },
      silentLogger,
    );
    pool.fill();
    await vi.advanceTimersByTimeAsync(0);
    expect([starts.length, pool.size]).toEqual([1, 1]);
    expect(pool.take()).toBeDefined();
    await vi.advanceTimersByTimeAsync(500);
    expect(starts.length, 'starts half a second after the take').toBe(1);
    await vi.advanceTimersByTimeAsync(600);
    expect([starts.length, pool.size], 'starts and size after a second').toEqual([2, 1]);
    // an empty pool asked for one starts filling at once
    expect(pool.take()).toBeDefined();
    expect(pool.take()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(0);
    expect(starts.length).toBe(3);
    await pool.stop();
  });
});
