import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FramePacer } from '../src/capture/index.ts';

// A fake clock: the pacer's decisions are about slots, not about how busy this machine is.
beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'],
  });
});

afterEach(() => {
  vi.useRealTimers();
});

function recorder(workMs = 0): { runs: number[]; run: () => Promise<void> } {
  const runs: number[] = [];
  return {
    runs,
    run: async () => {
      runs.push(performance.now());
      if (workMs) await new Promise((r) => setTimeout(r, workMs));
    },
  };
}

describe('frame pacing', () => {
  it('captures at once after an idle period (no slot wait)', async () => {
    const { runs, run } = recorder();
    const pacer = new FramePacer(33, run);
    await vi.advanceTimersByTimeAsync(1000);
    const t0 = performance.now();
    pacer.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([t0]);
    pacer.close();
  });

  it('coalesces a burst into one capture per slot, taken when the slot opens', async () => {
    const { runs, run } = recorder();
    const pacer = new FramePacer(33, run);
    // 100 requests 2 ms apart: a 500 Hz damage burst over 200 ms
    for (let i = 0; i < 100; i++) {
      pacer.request();
      await vi.advanceTimersByTimeAsync(2);
    }
    await vi.advanceTimersByTimeAsync(100);
    pacer.close();
    expect(runs.length).toBe(8); // t = 0, 33, … 231
    for (let i = 1; i < runs.length; i++)
      expect((runs[i] as number) - (runs[i - 1] as number)).toBeGreaterThanOrEqual(33);
    // the last request (t = 198 ms) is served by the capture when the next slot opens
    expect(runs.at(-1)).toBeGreaterThanOrEqual(198);
  });

  it('never overlaps captures and runs once more for requests made during one', async () => {
    let running = 0;
    let maxRunning = 0;
    let count = 0;
    const pacer = new FramePacer(10, async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      count++;
      await new Promise((r) => setTimeout(r, 40));
      running--;
    });
    pacer.request();
    await vi.advanceTimersByTimeAsync(5);
    pacer.request();
    pacer.request();
    await vi.advanceTimersByTimeAsync(200);
    pacer.close();
    expect(maxRunning).toBe(1);
    expect(count).toBe(2);
  });

  it('does nothing after close', async () => {
    const { runs, run } = recorder();
    const pacer = new FramePacer(33, run);
    pacer.close();
    pacer.request();
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toHaveLength(0);
  });
});
