import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.ts';
import { supervise } from '../src/executors/supervise.ts';

const node = (code: string) => ({
  command: process.execPath,
  args: ['-e', code],
  cwd: tmpdir(),
  env: process.env,
  ipc: false,
});

describe('an entrypoint process under limits', () => {
  it('passes its output lines on and reports how it ended', async () => {
    const lines: string[] = [];
    const p = supervise(
      node('console.log("one"); console.error("two"); process.exit(3)'),
      { memoryMb: 256 },
      {
        stdout: (l) => lines.push(`out:${l}`),
        stderr: (l) => lines.push(`err:${l}`),
      },
    );
    expect(await p.exited).toEqual({ code: 3, signal: null, reason: null });
    expect(lines.sort()).toEqual(['err:two', 'out:one']);
  });

  it('kills a process that grows past its memory cap (memory_limit)', async () => {
    // Buffers live outside the V8 heap: only the resident-memory watch catches them.
    const p = supervise(
      node('const keep = []; setInterval(() => keep.push(Buffer.alloc(16 << 20, 1)), 20);'),
      { memoryMb: 128 },
      { stdout: () => {}, stderr: () => {} },
    );
    expect(await p.exited).toMatchObject({ signal: 'SIGKILL', reason: 'memory_limit' });
  });

  it('is killed with the reason the worker gives', async () => {
    const p = supervise(
      node('setInterval(() => {}, 1000)'),
      { memoryMb: 256 },
      {
        stdout: () => {},
        stderr: () => {},
      },
    );
    setTimeout(() => p.kill('timeout'), 100);
    expect(await p.exited).toMatchObject({ signal: 'SIGKILL', reason: 'timeout' });
  });
});

describe('worker settings', () => {
  const base = {
    BROWSERPANE_API_URL: 'http://127.0.0.1:8787/',
    WORKFLOW_WORKER_CLIENT_SECRET: 's',
    DATABASE_URL: 'postgres://x',
  };
  it('reads defaults and refuses bad values', () => {
    expect(readConfig(base)).toMatchObject({
      apiUrl: 'http://127.0.0.1:8787',
      clientId: 'workflow-worker',
      concurrency: 2,
      gitProtocols: ['https', 'ssh'],
    });
    expect(() => readConfig({ ...base, WORKFLOW_WORKER_CONCURRENCY: '0' })).toThrow(ConfigError);
    expect(() => readConfig({ ...base, WORKFLOW_GIT_PROTOCOLS: 'https,ext' })).toThrow(
      'WORKFLOW_GIT_PROTOCOLS may list only https, http, ssh, git',
    );
    expect(() => readConfig({ ...base, DATABASE_URL: '' })).toThrow('DATABASE_URL is required');
  });
});
