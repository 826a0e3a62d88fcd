import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.ts';
import { PlaywrightExecutor } from '../src/executors/playwright.ts';
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

/** A run for an executor with no browser to attach to (its attach fails at once). */
function runStart(dir: string): Parameters<PlaywrightExecutor['start']>[0] {
  return {
    runId: 'r',
    cdpUrl: 'ws://127.0.0.1:9/devtools/browser/none',
    sourceDir: dir,
    entrypoint: 'none.mjs',
    input: null,
    answers: [],
    resumeFrom: null,
    workspaceInputs: [],
    filesDir: join(dir, 'files'),
    memoryMb: 512,
    running: Promise.resolve(),
    remainingMs: 30_000,
    log: () => {},
    requestInput: () => Promise.reject(new Error('no person here')),
    fetchDownload: () => Promise.resolve(null),
    workspaceInput: () => Promise.reject(new Error('no workspace inputs here')),
    credential: () => Promise.reject(new Error('no credentials here')),
  };
}

describe('warm entrypoint processes', () => {
  it('are replaced once a run has started, not while it starts, when another one is ready', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-warm-'));
    const executor = new PlaywrightExecutor(512, dir, 2);
    const ready = () => executor.warmProcesses().filter((w) => w.ready).length;
    try {
      executor.prewarm();
      await expect.poll(ready, { timeout: 60_000, interval: 200 }).toBe(2);
      const started = executor.runStarting();
      // The run takes one (its attach fails: no browser here); the other is ready for the next
      // run, so the replacement waits until the run has started.
      const execution = executor.start(runStart(dir));
      await new Promise((r) => setTimeout(r, 50));
      expect(executor.warmProcesses().map((w) => w.ready)).toEqual([true]);
      started();
      started(); // idempotent
      expect(executor.warmProcesses().map((w) => w.ready)).toEqual([true, false]);
      await expect.poll(ready, { timeout: 60_000, interval: 200 }).toBe(2);
      expect((await execution.done).attachFailed).toBe(true);
      // With none ready, a run's start holds nothing back: the replacement starts at once.
      const first = executor.runStarting();
      const second = executor.runStarting();
      const runs = [executor.start(runStart(dir)), executor.start(runStart(dir))];
      await new Promise((r) => setTimeout(r, 50));
      expect(executor.warmProcesses().length).toBe(2);
      first();
      second();
      await Promise.all(runs.map((r) => r.done));
    } finally {
      executor.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
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
      jobs: ['runs', 'webhooks'],
      webhookConcurrency: 4,
    });
    expect(readConfig({ ...base, WORKFLOW_WORKER_JOBS: ' webhooks ' }).jobs).toEqual(['webhooks']);
    expect(() => readConfig({ ...base, WORKFLOW_WORKER_JOBS: 'runs,mail' })).toThrow(
      'WORKFLOW_WORKER_JOBS may list only runs, webhooks',
    );
    expect(() => readConfig({ ...base, WORKFLOW_WORKER_WEBHOOK_CONCURRENCY: '0' })).toThrow(
      ConfigError,
    );
    expect(() => readConfig({ ...base, WORKFLOW_WORKER_CONCURRENCY: '0' })).toThrow(ConfigError);
    expect(() => readConfig({ ...base, WORKFLOW_GIT_PROTOCOLS: 'https,ext' })).toThrow(
      'WORKFLOW_GIT_PROTOCOLS may list only https, http, ssh, git',
    );
    expect(() => readConfig({ ...base, DATABASE_URL: '' })).toThrow('DATABASE_URL is required');
  });
});
