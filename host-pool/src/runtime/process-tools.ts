import type { ChildProcess } from 'node:child_process';

/** How a child process ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Resolves when `child` has exited (immediately if it already has). */
export function exitOf(child: ChildProcess): Promise<ExitInfo> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Waits up to `timeoutMs` for `child` to exit; true if it did. */
export async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const exited = exitOf(child).then(() => true as const);
  const result = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  return result;
}

/** Sends `signal` to a process group we created (detached spawn); ignores a group already gone. */
export function signalGroup(pgid: number | undefined, signal: NodeJS.Signals): void {
  if (!pgid || pgid <= 1) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone
  }
}

/** Sends `signal` to one process; ignores a process already gone. */
export function signalProcess(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid || pid <= 1) return;
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH
  }
}

/** True while a process with this pid exists (zombies included). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Process groups this agent started. If the agent exits without stopping its sessions (a crash,
 * `process.exit`), the groups are killed so no Xvfb or Chromium outlives it.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Registers a process group to kill when the agent exits; returns the unregister function. */
export function trackGroup(pgid: number): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const g of liveGroups) signalGroup(g, 'SIGKILL');
    });
  }
  liveGroups.add(pgid);
  return () => {
    liveGroups.delete(pgid);
  };
}

/** Keeps the last `limit` bytes written to it (a child's stderr, for diagnostics). */
export class TailBuffer {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(limit = 64 * 1024) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size > this.#limit && this.#chunks.length > 1) {
      const first = this.#chunks.shift() as Buffer;
      this.#size -= first.length;
    }
  }

  toString(): string {
    const all = Buffer.concat(this.#chunks);
    return all.subarray(Math.max(0, all.length - this.#limit)).toString('utf8');
  }
}
