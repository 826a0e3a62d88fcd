import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { SessionSandbox } from '../sandbox/session-sandbox.ts';
import { RuntimeError } from './errors.ts';
import { withParentDeathSignal } from './parent-death.ts';
import { exitOf, signalProcess, TailBuffer, trackGroup, waitForExit } from './process-tools.ts';
import { writeXAuthorityFile, type XAuthCookie } from './xauth.ts';

/** How to start one Xvfb server. */
export interface XvfbOptions {
  /** Xvfb binary (default `Xvfb` on PATH). */
  readonly xvfbPath?: string;
  /**
   * Framebuffer size. Xvfb cannot grow its screen past the size it started with, so it starts at
   * the largest size a session may use and RANDR shrinks the visible screen to the requested one.
   */
  readonly framebufferWidth: number;
  readonly framebufferHeight: number;
  /** Xauthority file to create for the chosen display (Xvfb `-auth`). */
  readonly authFile: string;
  readonly cookie: XAuthCookie;
  /** First display number to try (default 100) and how many to try (default 400). */
  readonly displayBase?: number;
  readonly displayCount?: number;
  /** Give up on one candidate display after this long (default 10 s). */
  readonly startTimeoutMs?: number;
  /** Run the server inside this session sandbox (its user, no network, the session's IPC). */
  readonly sandbox?: SessionSandbox;
}

/** A running Xvfb server this agent started. */
export interface XvfbServer {
  readonly display: string;
  readonly displayNumber: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the server exits, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The server's recent stderr. */
  log(): string;
  /** SIGTERM, then SIGKILL after `timeoutMs`; removes a lock file the server left behind. */
  stop(timeoutMs?: number): Promise<void>;
}

function lockPath(n: number): string {
  return `/tmp/.X${n}-lock`;
}

function lockContent(pid: number): string {
  return `${String(pid).padStart(10, ' ')}\n`;
}

/**
 * Claims display `n` the way X servers do: by creating its lock file exclusively. With
 * `-displayfd` Xvfb does not write the lock itself, so the agent does, first with its own pid and
 * then with the server's; other X servers and agents then see the number as taken.
 */
function claimDisplay(n: number): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath(n), 'wx', 0o644);
  } catch {
    return false;
  }
  try {
    writeSync(fd, lockContent(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}

function setLockOwner(n: number, pid: number): void {
  try {
    writeFileSync(lockPath(n), lockContent(pid));
    chmodSync(lockPath(n), 0o444);
  } catch {
    // the lock is advisory; the server holds the sockets either way
  }
}

/**
 * Removes the lock of display `n` if one of `pids` holds it, and the socket file too when our
 * server had it (a server killed with SIGKILL leaves both behind).
 */
function releaseDisplay(n: number, pids: readonly number[], ownSocket: boolean): void {
  try {
    const owner = Number.parseInt(readFileSync(lockPath(n), 'utf8').trim(), 10);
    if (!pids.includes(owner)) return;
  } catch {
    return;
  }
  rmSync(lockPath(n), { force: true });
  if (ownSocket) rmSync(`/tmp/.X11-unix/X${n}`, { force: true });
}

/**
 * Starts Xvfb on the first free display number at or above `displayBase`. The lock file is taken
 * atomically (O_EXCL), so two agents racing for a number cannot both win; a server that still
 * holds the sockets without a lock makes Xvfb exit, and the next number is tried. Readiness comes
 * from `-displayfd`, not from polling.
 */
export async function startXvfb(options: XvfbOptions): Promise<XvfbServer> {
  const base = options.displayBase ?? 100;
  const count = options.displayCount ?? 400;
  for (let n = base; n < base + count; n++) {
    if (!claimDisplay(n)) continue;
    const server = await tryStart(n, options).catch((err: unknown) => {
      releaseDisplay(n, [process.pid], false);
      if (err instanceof RuntimeError && err.code === 'no_free_display') return undefined;
      throw err;
    });
    if (server) return server;
  }
  throw new RuntimeError('no_free_display', `no free X display in :${base}…:${base + count - 1}`);
}

function tryStart(n: number, options: XvfbOptions): Promise<XvfbServer> {
  writeXAuthorityFile(options.authFile, n, options.cookie);
  // the server and the browser read it as the session's user (the file's directory is the agent's)
  options.sandbox?.adoptFile(options.authFile);
  const args = [
    `:${n}`,
    '-screen',
    '0',
    `${options.framebufferWidth}x${options.framebufferHeight}x24`,
    '-nolisten',
    'tcp',
    '-noreset',
    '-dpi',
    '96',
    '-auth',
    options.authFile,
    '-displayfd',
    '3',
  ];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const program = options.xvfbPath ?? 'Xvfb';
  const confined = options.sandbox?.display(program, args, env, options.authFile);
  const [command, argv] = withParentDeathSignal(
    confined?.command ?? program,
    confined?.args ?? args,
  );
  const child = spawn(command, argv, {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    detached: true,
    env,
  });
  const stderr = new TailBuffer(16 * 1024);
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = exitOf(child);
  const untrack = child.pid ? trackGroup(child.pid) : () => undefined;
  if (child.pid) setLockOwner(n, child.pid);
  let ready = false;
  void exited.then(() => {
    untrack();
    if (child.pid) releaseDisplay(n, [child.pid, process.pid], ready);
  });

  return new Promise<XvfbServer>((resolve, reject) => {
    let settled = false;
    const readyPipe = child.stdio[3] as NodeJS.ReadableStream | null;
    let announced = '';
    const timer = setTimeout(() => {
      fail(new RuntimeError('xvfb_failed', `Xvfb :${n} did not become ready`));
    }, options.startTimeoutMs ?? 10_000);

    const fail = (err: RuntimeError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signalProcess(child.pid, 'SIGKILL');
      reject(err);
    };

    child.once('error', (err) => {
      fail(
        new RuntimeError(
          'xvfb_failed',
          `cannot run Xvfb (${(err as NodeJS.ErrnoException).code})`,
          {
            cause: err,
          },
        ),
      );
    });
    void exited.then(({ code, signal }) => {
      if (settled) return;
      const log = stderr.toString();
      if (/already active|Cannot establish any listening sockets|server already running/i.test(log))
        fail(new RuntimeError('no_free_display', `display :${n} is taken`));
      else
        fail(
          new RuntimeError(
            'xvfb_failed',
            `Xvfb :${n} exited during start (code ${code}, signal ${signal}): ${log.slice(-300)}`,
          ),
        );
    });
    readyPipe?.on('data', (chunk: Buffer) => {
      announced += chunk.toString('utf8');
      if (!announced.includes('\n') || settled) return;
      settled = true;
      ready = true;
      clearTimeout(timer);
      const pid = child.pid as number;
      resolve({
        display: `:${n}`,
        displayNumber: n,
        pid,
        child,
        exited,
        log: () => stderr.toString(),
        stop: async (timeoutMs = 3000) => {
          // a sandboxed server is pid 1 of its own namespace, under bubblewrap: signal the server
          signalProcess(options.sandbox ? (SessionSandbox.mainPid(pid) ?? pid) : pid, 'SIGTERM');
          if (!(await waitForExit(child, timeoutMs))) {
            signalProcess(pid, 'SIGKILL');
            await waitForExit(child, 2000);
          }
          releaseDisplay(n, [pid, process.pid], true);
        },
      });
    });
  });
}
