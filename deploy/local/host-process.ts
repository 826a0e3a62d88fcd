import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withParentDeathSignal } from '../../host-pool/src/runtime/parent-death.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SupervisedHost {
  /** Resolves when the agent has enrolled with the edge. */
  readonly enrolled: Promise<void>;
  /** The agent's process id (benchmarks measure its CPU). */
  pid(): number | undefined;
  stop(): Promise<void>;
}

/**
 * Runs the host agent as a child process (as on a real host), restarts it with backoff if it
 * dies, writes its JSON log lines to `log` and surfaces the few that matter through `say`.
 */
export function superviseHostProcess(
  env: Record<string, string>,
  log: (line: string) => void,
  say: (line: string) => void,
): SupervisedHost {
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let markEnrolled: () => void = () => {};
  const enrolled = new Promise<void>((resolve) => {
    markEnrolled = resolve;
  });
  const launch = () => {
    // SIGTERM to the agent if this process dies: it then stops its browsers in order
    const [command, args] = withParentDeathSignal(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'host-pool/src/main.ts')],
      'TERM',
    );
    child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onLine = (line: string) => {
      log(line);
      const event = parseJson(line);
      if (!event) return;
      const session = String(event.sessionId ?? '').slice(0, 8);
      if (event.msg === 'enrolled with the edge') {
        markEnrolled();
        say(`host agent: enrolled (host ${String(event.hostId).slice(0, 8)})`);
      } else if (event.msg === 'session running') say(`host agent: session ${session} is running`);
      else if (event.msg === 'session failed to start') {
        say(
          `host agent: session ${session} failed to start: ${String((event.err as { message?: string } | undefined)?.message ?? '')}`,
        );
      } else if (event.level === 'error') say(`host agent: ${String(event.msg)}`);
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      restarts++;
      say(`host agent exited (${signal ?? code}); restarting (${restarts})…`);
      setTimeout(launch, Math.min(10_000, 500 * 2 ** Math.min(restarts, 5)));
    });
  };
  launch();
  return {
    enrolled,
    pid: () => child?.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function forEachLine(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let buffered = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    buffered += chunk;
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      onLine(buffered.slice(0, at));
      buffered = buffered.slice(at + 1);
    }
  });
}

function parseJson(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
