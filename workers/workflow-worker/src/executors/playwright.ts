/**
 * Runs a `playwright` entrypoint in its own process (playwright-child.ts) under the run's limits.
 * Warm processes (Playwright already loaded) are kept ready, so a run starts without paying for
 * Node and Playwright start-up.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { StartMessage } from './playwright-child.ts';
import { type Supervised, supervise } from './supervise.ts';
import type { Execution, ExecutionResult, ExecutionStart, InputRequest } from './types.ts';
import { Released } from './types.ts';

type FromChild =
  | { type: 'ready' }
  | { type: 'log'; stream: 'stdout' | 'stderr' | 'system'; message: string }
  | { type: 'request_input'; request: InputRequest }
  | { type: 'fetch_download'; id: number; name: string; since: number }
  | {
      type: 'done';
      ok: boolean;
      output?: unknown;
      error?: string;
      entrypoint_ms: number;
      attach_failed?: boolean;
    };

const CHILD = join(import.meta.dirname, 'playwright-child.ts');
const TSX = createRequire(import.meta.url).resolve('tsx');

interface Warm {
  proc: Supervised;
  ready: Promise<void>;
  isReady: boolean;
  memoryMb: number;
  sink: { stdout(line: string): void; stderr(line: string): void };
}

/** `script`: the compiled child (child-build.ts); without it, the source under tsx. */
function spawnChild(memoryMb: number, cwd: string, script: string | undefined): Warm {
  const sink = { stdout: (_: string) => {}, stderr: (_: string) => {} };
  const proc = supervise(
    {
      command: process.execPath,
      args: script ? [script] : ['--import', TSX, CHILD],
      cwd,
      env: { ...process.env, NODE_ENV: 'production' },
      ipc: true,
    },
    { memoryMb },
    { stdout: (l) => sink.stdout(l), stderr: (l) => sink.stderr(l) },
  );
  const warm: Warm = {
    proc,
    isReady: false,
    memoryMb,
    sink,
    ready: new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromChild) => {
        if (m.type === 'ready') {
          proc.child.off('message', onMessage);
          warm.isReady = true;
          resolve();
        }
      };
      proc.child.on('message', onMessage);
      void proc.exited.then(() =>
        reject(new Error('the entrypoint process exited before it was ready')),
      );
    }),
  };
  warm.ready.catch(() => {});
  return warm;
}

/**
 * Keeps `poolSize` warm entrypoint processes (Node with Playwright loaded, for the default memory
 * cap), so runs that start at once each find one ready. Each run gets its own process, never one
 * another run used.
 */
export class PlaywrightExecutor {
  private warm: Warm[] = [];

  constructor(
    private readonly defaultMemoryMb: number,
    private readonly cwd: string,
    private readonly poolSize = 1,
    private readonly script?: string,
  ) {}

  prewarm(): void {
    this.warm = this.warm.filter((w) => w.proc.child.exitCode === null);
    while (this.warm.length < this.poolSize)
      this.warm.push(spawnChild(this.defaultMemoryMb, this.cwd, this.script));
  }

  private take(memoryMb: number): Warm {
    const alive = this.warm.filter(
      (w) => w.proc.child.exitCode === null && w.memoryMb === memoryMb,
    );
    // A ready one first, else the one started longest ago.
    const pick = alive.find((w) => w.isReady) ?? alive[0];
    if (pick) {
      this.warm = this.warm.filter((w) => w !== pick);
      return pick;
    }
    return spawnChild(memoryMb, this.cwd, this.script);
  }

  start(run: ExecutionStart): Execution {
    const w = this.take(run.memoryMb);
    setImmediate(() => this.prewarm());
    w.sink.stdout = (line) => run.log('stdout', line);
    w.sink.stderr = (line) => run.log('stderr', line);
    const { proc } = w;
    const done = new Promise<ExecutionResult>((resolve) => {
      let result: ExecutionResult | null = null;
      proc.child.on('message', (m: FromChild) => {
        if (m.type === 'log') run.log(m.stream, m.message);
        else if (m.type === 'request_input')
          run.requestInput(m.request).then(
            (input) => proc.child.send({ type: 'answer', input }),
            (error) => proc.kill(error instanceof Released ? 'released' : 'stopped'),
          );
        else if (m.type === 'fetch_download')
          run.fetchDownload({ name: String(m.name), since: Number(m.since) }).then(
            (path) =>
              proc.child.connected &&
              proc.child.send({
                type: 'download',
                id: m.id,
                ...(path
                  ? { path }
                  : { error: `no session file named ${m.name} was recorded in time` }),
              }),
            (error: Error) =>
              proc.child.connected &&
              proc.child.send({
                type: 'download',
                id: m.id,
                error: `the session file could not be fetched: ${error.message}`,
              }),
          );
        else if (m.type === 'done') {
          result = {
            ok: m.ok,
            output: m.output,
            error: m.error,
            entrypointMs: m.entrypoint_ms,
            killedFor: null,
            attachFailed: m.attach_failed === true,
          };
          proc.child.disconnect();
        }
      });
      void proc.exited.then(({ code, signal, reason }) =>
        resolve(
          result ?? {
            ok: false,
            error:
              reason === 'memory_limit'
                ? `the entrypoint went over its memory cap (${run.memoryMb} MiB)`
                : `the entrypoint process ended (${signal ?? `exit ${code}`})`,
            entrypointMs: 0,
            killedFor: reason ?? 'crashed',
          },
        ),
      );
    });
    void w.ready.then(
      () => {
        const start: StartMessage = {
          type: 'start',
          cdpUrl: run.cdpUrl,
          sourceDir: run.sourceDir,
          entrypoint: run.entrypoint,
          input: run.input,
          answers: run.answers,
          filesDir: run.filesDir,
        };
        proc.child.send(start);
      },
      () => {},
    );
    return { done, kill: (reason) => proc.kill(reason) };
  }

  close(): void {
    for (const w of this.warm) w.proc.kill('shutdown');
    this.warm = [];
  }
}
