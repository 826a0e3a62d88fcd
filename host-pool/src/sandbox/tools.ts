import { execFile } from 'node:child_process';
import { findExecutable } from '../runtime/find-executable.ts';
import { SandboxError } from './errors.ts';

/** The programs the sandbox is built from, and the Debian package of each. */
export const SANDBOX_TOOLS = {
  bwrap: 'bubblewrap',
  pasta: 'passt',
  ip: 'iproute2',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  setpriv: 'util-linux',
  chown: 'coreutils',
  sleep: 'coreutils',
} as const;

export type SandboxTool = keyof typeof SANDBOX_TOOLS;

/** Absolute paths of the sandbox tools (sbin included: `ip` lives there). */
export type ToolPaths = Readonly<Record<SandboxTool, string>>;

const SEARCH_PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`;

/** Finds every tool; throws `sandbox_unavailable` naming the packages of those that are missing. */
export function findSandboxTools(searchPath = SEARCH_PATH): ToolPaths {
  const found: Partial<Record<SandboxTool, string>> = {};
  const missing = new Set<string>();
  for (const [tool, pkg] of Object.entries(SANDBOX_TOOLS) as Array<[SandboxTool, string]>) {
    const path = findExecutable(tool, searchPath);
    if (path) found[tool] = path;
    else missing.add(`${tool} (package ${pkg})`);
  }
  if (missing.size)
    throw new SandboxError(
      'sandbox_unavailable',
      `the session sandbox needs ${[...missing].join(', ')}: install them (deploy/local/system-packages.sh --role host) or, knowing the risk, set HOST_SANDBOX=off`,
    );
  return found as ToolPaths;
}

/**
 * Runs a short command and resolves with its stdout; rejects with `sandbox_failed` carrying the
 * command's name and the end of its stderr (tools' messages never contain secrets).
 */
export function runTool(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 10_000, env: options.env ?? { PATH: SEARCH_PATH } },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const detail = String(stderr || err.message)
          .trim()
          .split('\n')
          .slice(-2)
          .join(' | ');
        reject(
          new SandboxError('sandbox_failed', `${command} ${args[0] ?? ''} failed: ${detail}`, {
            cause: err,
          }),
        );
      },
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}
