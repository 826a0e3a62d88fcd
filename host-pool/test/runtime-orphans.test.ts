import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.ts';
import { DEFAULT_SANDBOX_SETTINGS, HostSandbox } from '../src/sandbox/index.ts';
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

type Pids = Record<'chromium' | 'xvfb', number> &
  Partial<Record<'pasta' | 'holder' | 'uid', number>> & { netns?: string };

/** Runs the fixture agent until it has started its runtime; resolves with what it started. */
async function startFixture(args: string[] = []): Promise<{ pids: Pids; kill: () => void }> {
  const agent = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'fixtures/orphan-runtime.ts'), ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pids = await new Promise<Pids>((resolve, reject) => {
    let out = '';
    agent.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line));
    });
    agent.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
  });
  return { pids, kill: () => agent.kill('SIGKILL') };
}

describe('a host agent killed with SIGKILL', () => {
  it('takes its Xvfb and Chromium with it (parent-death signal), leaving no orphans', async () => {
    const { pids, kill } = await startFixture();
    expect(alive(pids.chromium)).toBe(true);
    expect(alive(pids.xvfb)).toBe(true);
    kill();
    await waitUntil(() => !alive(pids.chromium) && !alive(pids.xvfb), 10_000).catch(() => false);
    expect(alive(pids.chromium), 'Chromium outlived its agent').toBe(false);
    expect(alive(pids.xvfb), 'Xvfb outlived its agent').toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'takes a sandboxed session with it too, and the next agent removes its network namespace',
    async () => {
      const { pids, kill } = await startFixture(['sandbox']);
      const all = ['chromium', 'xvfb', 'pasta', 'holder'] as const;
      for (const name of all) expect(alive(pids[name] as number), name).toBe(true);
      expect(existsSync(`/run/netns/${pids.netns}`)).toBe(true);
      kill();
      const leftovers = () =>
        [
          ...all.filter((name) => alive(pids[name] as number)),
          ...spawnSync('pgrep', ['-u', String(pids.uid)], { encoding: 'utf8' })
            .stdout.split('\n')
            .filter(Boolean),
        ].join(' ');
      await waitUntil(() => leftovers() === '', 10_000).catch(() => false);
      expect(leftovers(), 'processes that outlived their agent').toBe('');
      // SIGKILL leaves the named namespace behind: an agent starting later removes it
      const next = new HostSandbox(DEFAULT_SANDBOX_SETTINGS, silentLogger);
      expect(await next.prepare()).toBeUndefined();
      expect(existsSync(`/run/netns/${pids.netns}`)).toBe(false);
    },
  );
});
