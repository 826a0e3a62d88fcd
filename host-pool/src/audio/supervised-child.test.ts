import { describe, expect, it } from 'vitest';
import { isAlive } from '../runtime/process-tools.ts';
import { AudioChild } from './child.ts';
import { SupervisedChild } from './supervised-child.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

describe('SupervisedChild', () => {
  it('restarts a helper that dies, and gives up once it keeps dying quickly', async () => {
    let spawned = 0;
    const restarts: (number | null)[] = [];
    let gaveUp = 0;
    const supervisor = new SupervisedChild({
      spawn: () => {
        spawned++;
        return new AudioChild({ command: 'sh', args: ['-c', 'exit 3'], env });
      },
      onRestart: (exit) => restarts.push(exit.code),
      onGiveUp: () => gaveUp++,
      maxQuickRestarts: 2,
    });
    supervisor.start();
    await expect.poll(() => gaveUp, { timeout: 8000, interval: 20 }).toBeGreaterThan(0);
    expect(spawned).toBe(3);
    expect(restarts).toEqual([3, 3]);
    await wait(700);
    expect(spawned).toBe(3); // no attempts after giving up …
    supervisor.start(); // … until it is wanted again
    await expect.poll(() => gaveUp, { timeout: 8000, interval: 20 }).toBeGreaterThan(1);
    expect(spawned).toBe(6);
  });

  it('does not restart what it stopped, and replaces the child on restart()', async () => {
    const children: AudioChild[] = [];
    const supervisor = new SupervisedChild({
      spawn: () => {
        const child = new AudioChild({ command: 'sleep', args: ['30'], env });
        children.push(child);
        return child;
      },
      onGiveUp: () => undefined,
    });
    supervisor.start();
    supervisor.start(); // idempotent
    expect(children).toHaveLength(1);
    const first = children[0] as AudioChild;
    expect(supervisor.current).toBe(first);
    supervisor.restart();
    expect(children).toHaveLength(2);
    expect(supervisor.current).toBe(children[1]);
    await first.exited;
    await supervisor.stop();
    expect(supervisor.current).toBeUndefined();
    await wait(500);
    expect(children).toHaveLength(2);
    expect(isAlive(children[1]?.pid as number)).toBe(false);
  });
});
