import { type ChildProcess, spawn } from 'node:child_process';
import { withParentDeathSignal } from '../runtime/parent-death.ts';
import {
  type ExitInfo,
  exitOf,
  signalGroup,
  signalProcess,
  TailBuffer,
  trackGroup,
  waitForExit,
} from '../runtime/process-tools.ts';

export interface AudioChildOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** The child's whole environment (the agent's is not inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** Pipe stdin (pacat). */
  readonly stdin?: boolean;
}

/**
 * One helper process (pulseaudio, pacat) in its own process group, killed with the agent
 * (exit hook for a normal exit or crash, parent-death signal for SIGKILL), with its stderr tail
 * kept for diagnostics.
 */
export class AudioChild {
  readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  /** Set when the process could not be started at all (ENOENT …). */
  spawnError: Error | undefined;
  private readonly stderr = new TailBuffer(8 * 1024);
  private stopping = false;

  constructor(options: AudioChildOptions) {
    const [command, args] = withParentDeathSignal(options.command, options.args);
    this.child = spawn(command, args, {
      stdio: [options.stdin ? 'pipe' : 'ignore', 'ignore', 'pipe'],
      detached: true,
      env: { ...options.env },
    });
    this.child.on('error', (err) => {
      this.spawnError = err;
    });
    this.child.stderr?.on('data', (c: Buffer) => this.stderr.push(c));
    // A pipe the child closed must not become an unhandled 'error' in the agent.
    this.child.stdin?.on('error', () => undefined);
    this.exited = Promise.race([
      exitOf(this.child),
      new Promise<ExitInfo>((resolve) =>
        this.child.once('error', () => resolve({ code: null, signal: null })),
      ),
    ]);
    const pid = this.child.pid;
    const untrack = pid ? trackGroup(pid) : () => undefined;
    void this.exited.then(() => untrack());
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && !this.spawnError;
  }

  /** Whether `stop()` was called (an exit after that is expected). */
  get stopped(): boolean {
    return this.stopping;
  }

  log(): string {
    return this.stderr.toString();
  }

  /** SIGTERM, then SIGKILL to the group after `timeoutMs`. */
  async stop(timeoutMs = 2000): Promise<void> {
    this.stopping = true;
    // an exited child's pid may already belong to another process: never signal it
    if (!this.child.pid || !this.running) return;
    this.child.stdin?.end();
    signalProcess(this.child.pid, 'SIGTERM');
    if (!(await waitForExit(this.child, timeoutMs))) {
      signalGroup(this.child.pid, 'SIGKILL');
      await waitForExit(this.child, timeoutMs);
    }
  }
}
