import { findExecutable } from './find-executable.ts';

let setprivPath: string | null | undefined;

/**
 * The command line that runs `command` under `setpriv --pdeathsig KILL` (util-linux, on every
 * Debian) when it is available: the kernel then kills the child if the agent dies, even by SIGKILL
 * when no exit hook runs, so no Xvfb, Chromium or audio helper outlives its agent. setpriv execs
 * the command, so the pid (and process group) stay the child's own.
 */
export function withParentDeathSignal(
  command: string,
  args: readonly string[],
  signal: 'KILL' | 'TERM' = 'KILL',
): [string, string[]] {
  if (setprivPath === undefined) setprivPath = findExecutable('setpriv') ?? null;
  return setprivPath
    ? [setprivPath, ['--pdeathsig', signal, command, ...args]]
    : [command, [...args]];
}
