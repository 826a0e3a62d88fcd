/**
 * An entrypoint process under limits: its V8 heap is capped (`--max-old-space-size`) and its
 * resident memory is watched (`/proc/<pid>/status`), so a run that grows past its cap is killed
 * (`memory_limit`) instead of taking the worker down. Output lines go to the caller.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Limits {
  memoryMb: number;
}

export interface Supervised {
  readonly child: ChildProcess;
  /** Settles when the process is gone; `reason` says why the worker ended it. */
  readonly exited: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    reason: string | null;
  }>;
  kill(reason: string): void;
}

function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function supervise(
  script: { command: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; ipc: boolean },
  limits: Limits,
  output: { stdout(line: string): void; stderr(line: string): void },
): Supervised {
  const heap = Math.max(32, Math.floor(limits.memoryMb * 0.75));
  const child = spawn(script.command, [`--max-old-space-size=${heap}`, ...script.args], {
    cwd: script.cwd,
    env: script.env,
    stdio: script.ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'],
    serialization: 'json',
  });
  let reason: string | null = null;
  const kill = (why: string) => {
    reason ??= why;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const watch = setInterval(() => {
    const rss = child.pid ? rssMb(child.pid) : null;
    if (rss !== null && rss > limits.memoryMb) kill('memory_limit');
  }, 250);
  watch.unref();
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', output.stdout);
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', output.stderr);
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    reason: string | null;
  }>((resolve) => {
    child.once('exit', (code, signal) => {
      clearInterval(watch);
      resolve({ code, signal, reason });
    });
    child.once('error', () => {
      clearInterval(watch);
      resolve({ code: null, signal: null, reason: reason ?? 'spawn_failed' });
    });
  });
  return { child, exited, kill };
}
