import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitUntil } from './helpers/browser.ts';

/** Running (a zombie waiting for init to reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('a host agent killed with SIGKILL', () => {
  it('takes its Xvfb and Chromium with it (parent-death signal), leaving no orphans', async () => {
    const agent = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures/orphan-runtime.ts')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pids = await new Promise<{ chromium: number; xvfb: number }>((resolve, reject) => {
      let out = '';
      agent.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      agent.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
    });
    expect(alive(pids.chromium)).toBe(true);
    expect(alive(pids.xvfb)).toBe(true);
    agent.kill('SIGKILL');
    await waitUntil(() => !alive(pids.chromium) && !alive(pids.xvfb), 10_000).catch(() => false);
    expect(alive(pids.chromium), 'Chromium outlived its agent').toBe(false);
    expect(alive(pids.xvfb), 'Xvfb outlived its agent').toBe(false);
  });
});
