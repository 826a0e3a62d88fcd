/**
 * Runs a `playwright` entrypoint in its own process (playwright-child.ts) under the run's limits.
 * Warm processes (Playwright already loaded) are kept ready, so a run starts without paying for
 * Node and Playwright start-up.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CredentialCall, StartMessage } from './playwright-child.ts';
import { type Supervised, supervise } from './supervise.ts';
import type { Execution, ExecutionResult, ExecutionStart, InputRequest } from './types.ts';
import { Released } from './types.ts';

type FromChild =
  | { type: 'ready' }
  | { type: 'prepared' }
  | { type: 'log'; stream: 'stdout' | 'stderr' | 'system'; message: string }
  | { type: 'request_input'; request: InputRequest }
  | { type: 'fetch_download'; id: number; name: string; since: number }
  | { type: 'fetch_input'; id: number; mount_path: string }
  | ({ type: 'credential'; id: number } & CredentialCall)
  | {
      type: 'done';
      ok: boolean;
      output?: unknown;
      error?: string;
      entrypoint_ms: number;
      attach_failed?: boolean;
      phases_ms?: Record<string, number>;
    };

const CHILD = join(import.meta.dirname, 'playwright-child.ts');
/** How long a starting run holds back the replacement of a taken process at most. */
const STARTING_HOLD_MAX_MS = 2000;
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
  /** Runs starting now (picked up, not yet in their entrypoint's code). */
  private starting = 0;

  constructor(
    private readonly defaultMemoryMb: number,
    private readonly cwd: string,
    private readonly poolSize = 1,
    private readonly script?: string,
  ) {}

  /** Tops the pool up (unless replacements wait: see `runStarting`). */
  prewarm(): void {
    this.warm = this.warm.filter((w) => w.proc.child.exitCode === null);
    if (this.deferring()) return;
    while (this.warm.length < this.poolSize)
      this.warm.push(spawnChild(this.defaultMemoryMb, this.cwd, this.script));
  }

  /**
   * A run is starting (from its pickup until its entrypoint's code begins): while another
   * process is ready for the next run, the replacement of a taken process is not started
   * (loading Playwright is CPU-bound, about a second here) until no run is starting, so it does
   * not slow a run's own claim and attach. With none ready, it starts at once (a run will need
   * it). Returns the end of the start (idempotent).
   */
  runStarting(): () => void {
    let ended = false;
    this.starting++;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(cap);
      this.starting--;
      this.prewarm();
    };
    // A start that takes longer waits for something else (a browser starting), not for the CPU.
    const cap = setTimeout(end, STARTING_HOLD_MAX_MS);
    cap.unref();
    return end;
  }

  /** The warm processes now: pid, ready (Playwright loaded). */
  warmProcesses(): { pid: number; ready: boolean }[] {
    return this.warm.map((w) => ({ pid: w.proc.child.pid ?? 0, ready: w.isReady }));
  }

  private deferring(): boolean {
    return this.starting > 0 && this.warm.some((w) => w.isReady && w.proc.child.exitCode === null);
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
    const t0 = performance.now();
    let startedAt = 0;
    const done = new Promise<ExecutionResult>((resolve) => {
      let result: ExecutionResult | null = null;
      proc.child.on('message', (m: FromChild) => {
        if (m.type === 'log') run.log(m.stream, m.message);
        else if (m.type === 'prepared')
          run.running.then(
            () => {
              if (proc.child.connected) proc.child.send({ type: 'go' });
              run.began?.();
            },
            () => proc.kill('stopped'),
          );
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
        else if (m.type === 'fetch_input')
          run.workspaceInput(String(m.mount_path)).then(
            (path) =>
              proc.child.connected && proc.child.send({ type: 'input_file', id: m.id, path }),
            (error: Error) =>
              proc.child.connected &&
              proc.child.send({ type: 'input_file', id: m.id, error: error.message }),
          );
        else if (m.type === 'credential')
          run.credential({ op: m.op, name: m.name, targetId: m.targetId, options: m.options }).then(
            (value) =>
              proc.child.connected &&
              proc.child.send({ type: 'credential_result', id: m.id, value: value ?? null }),
            (error: Error) =>
              proc.child.connected &&
              proc.child.send({ type: 'credential_result', id: m.id, error: error.message }),
          );
        else if (m.type === 'done') {
          result = {
            ok: m.ok,
            output: m.output,
            error: m.error,
            entrypointMs: m.entrypoint_ms,
            killedFor: null,
            attachFailed: m.attach_failed === true,
            phases: { child_ready_wait: startedAt - t0, ...m.phases_ms },
          };
          // The result is final: the run goes on at once, and the process (with its CDP
          // connection) ends now rather than after its own shutdown.
          resolve(result);
          proc.child.disconnect();
          proc.kill('finished');
        }
      });
      void proc.exited.then(({ code, signal, reason }) => {
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
        );
      });
    });
    void w.ready.then(
      () => {
        const start: StartMessage = {
          type: 'start',
          cdpUrl: run.cdpUrl,
          sourceDir: run.sourceDir,
          entrypoint: run.entrypoint,
          input: run.input,
          workspaceInputs: run.workspaceInputs,
          answers: run.answers,
          filesDir: run.filesDir,
        };
        startedAt = performance.now();
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
