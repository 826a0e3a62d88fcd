/**
 * The workflow worker as a child process of the local stack (as on a real machine): started with
 * the edge's URL, its service principal's secret and the job queue's database; its output lines go
 * to `log`. Tests kill it (SIGKILL, as a crash) and start it again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { withParentDeathSignal } from '../../host-pool/src/runtime/parent-death.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface WorkflowWorkerProcess {
  pid(): number | undefined;
  /** Resolves once the worker listens for jobs. */
  readonly ready: Promise<void>;
  /** Kills it without warning (a crash). */
  kill(): Promise<void>;
  /** Starts it again after a kill. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function startWorkflowWorkerProcess(
  env: Record<string, string>,
  log: (line: string) => void,
): WorkflowWorkerProcess {
  let child: ChildProcess | undefined;
  let ready!: Promise<void>;
  const launch = () => {
    const [command, args] = withParentDeathSignal(
      process.execPath,
      [join(ROOT, 'workers/workflow-worker/bin/workflow-worker.js')],
      'TERM',
    );
    const proc = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    ready = new Promise<void>((resolve, reject) => {
      const onLine = (line: string) => {
        log(line);
        if (line.includes('workflow worker ') && line.includes('at once')) resolve();
      };
      createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', onLine);
      createInterface({ input: proc.stderr as NodeJS.ReadableStream }).on('line', onLine);
      proc.once('exit', (code) => reject(new Error(`the workflow worker exited with ${code}`)));
    });
    ready.catch(() => {});
  };
  const exit = (signal: NodeJS.Signals, waitMs: number) =>
    new Promise<void>((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      const timer = setTimeout(() => c.kill('SIGKILL'), waitMs);
      c.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      c.kill(signal);
    });
  launch();
  return {
    pid: () => child?.pid,
    get ready() {
      return ready;
    },
    kill: () => exit('SIGKILL', 0),
    async start() {
      launch();
      await ready;
    },
    stop: () => exit('SIGTERM', 10_000),
  };
}
