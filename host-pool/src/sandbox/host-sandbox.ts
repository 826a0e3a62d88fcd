import { accessSync, constants } from 'node:fs';
import type { Logger } from '../log.ts';
import { SandboxError } from './errors.ts';
import { cleanStaleNamespaces } from './namespaces.ts';
import { SessionSandbox } from './session-sandbox.ts';
import type { SandboxSettings } from './settings.ts';
import { findSandboxTools, runTool, type ToolPaths } from './tools.ts';

/**
 * The sandbox of one host agent: checks once that this host can sandbox sessions (tools present,
 * namespaces allowed), cleans what agents that died left behind, and creates each session's
 * sandbox. When the host cannot, every session start fails with the reason (naming the package or
 * the kernel setting) instead of running a browser unconfined.
 */
export class HostSandbox {
  private checked: Promise<ToolPaths> | undefined;

  constructor(
    readonly settings: SandboxSettings,
    private readonly log: Logger,
    /** The agent runs as root (per-session user ids) or not (user namespaces only). */
    readonly root = process.getuid?.() === 0,
  ) {}

  /**
   * Checks the host (once) and, for a root agent, removes stale network namespaces and id locks.
   * Resolves with the problem, if any, so the agent can log it at start.
   */
  async prepare(): Promise<SandboxError | undefined> {
    try {
      const tools = await this.ready();
      if (this.root) {
        const removed = await cleanStaleNamespaces(tools);
        if (removed.length)
          this.log.info('removed network namespaces left by an agent that died', { removed });
      }
      return undefined;
    } catch (err) {
      return err instanceof SandboxError
        ? err
        : new SandboxError('sandbox_unavailable', 'sandbox check failed', { cause: err });
    }
  }

  /** Creates one session's sandbox; throws `sandbox_unavailable` when this host cannot. */
  async create(
    sessionDir: string,
    paths: { downloads: string; home: string },
  ): Promise<SessionSandbox> {
    const tools = await this.ready();
    return SessionSandbox.create({
      tools,
      settings: this.settings,
      root: this.root,
      sessionDir,
      downloadDir: paths.downloads,
      homeDir: paths.home,
    });
  }

  private ready(): Promise<ToolPaths> {
    this.checked ??= checkHost(this.root);
    return this.checked;
  }
}

/** Finds the tools and proves the kernel lets this agent make the namespaces it needs. */
async function checkHost(root: boolean): Promise<ToolPaths> {
  const tools = findSandboxTools();
  const probe = async (what: string, command: string, args: string[]) => {
    try {
      await runTool(command, args, { timeoutMs: 10_000 });
    } catch (err) {
      throw new SandboxError(
        'sandbox_unavailable',
        `this host cannot ${what}: ${(err as Error).message} (see SECURITY.md, "Running the sandbox")`,
        { cause: err },
      );
    }
  };
  const bwrapProbe = [
    '--unshare-pid',
    '--unshare-net',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--',
    '/usr/bin/true',
  ];
  if (root) {
    await probe('make IPC namespaces', tools.unshare, ['--ipc', '--', '/usr/bin/true']);
    await probe('list network namespaces', tools.ip, ['netns', 'list']);
    await probe('run bubblewrap', tools.bwrap, bwrapProbe);
  } else {
    await probe('make user, network and IPC namespaces', tools.unshare, [
      '--user',
      '--map-root-user',
      '--net',
      '--ipc',
      '--',
      '/usr/bin/true',
    ]);
    await probe('run bubblewrap in a user namespace', tools.bwrap, [
      '--unshare-user',
      ...bwrapProbe,
    ]);
    try {
      accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
    } catch {
      throw new SandboxError(
        'sandbox_unavailable',
        'pasta needs /dev/net/tun readable and writable by the agent (mode 0666, the Debian default) when the agent is not root',
      );
    }
  }
  return tools;
}
