import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { withParentDeathSignal } from '../runtime/parent-death.ts';
import { exitOf, signalGroup, trackGroup, waitForExit } from '../runtime/process-tools.ts';
import { SandboxError } from './errors.ts';
import { dropIdentityLock, identityInUse, staleIdentities } from './identity.ts';
import { runTool, type ToolPaths } from './tools.ts';

/** Named network namespaces (`ip netns`) of root agents' sessions: `bp-<session uid>`. */
const NETNS_DIR = '/run/netns';
const NETNS_PREFIX = 'bp-';

/**
 * The namespaces one session's processes share: an IPC namespace (so Chromium and its Xvfb still
 * use MIT-SHM with each other, and with no one else) and a network namespace (only the browser
 * joins it). They are held by a small `sleep` process; the network namespace of a root agent is
 * also named in /run/netns so pasta can attach to it by name.
 *
 * - root agent: the holder owns only the IPC namespace; the network namespace is `ip netns add`-ed.
 * - non-root agent: the holder is root of a user namespace of its own that owns both (the agent's
 *   user is mapped to 0 there), and every session process enters that user namespace first.
 */
export class SessionNamespaces {
  private constructor(
    private readonly tools: ToolPaths,
    private readonly holder: ChildProcess,
    private readonly untrack: () => void,
    /** Network namespace path (`/run/netns/bp-…` or the holder's). */
    readonly netPath: string,
    /** `ip netns` name when the agent is root. */
    readonly netName: string | undefined,
  ) {}

  /** Holder pid (tests, diagnostics). */
  get holderPid(): number {
    return this.holder.pid as number;
  }

  /** IPC namespace path the session's processes enter. */
  get ipcPath(): string {
    return `/proc/${this.holderPid}/ns/ipc`;
  }

  /** User namespace path (non-root agents only). */
  get userPath(): string | undefined {
    return this.netName ? undefined : `/proc/${this.holderPid}/ns/user`;
  }

  /** Creates the namespaces; `uid` names the network namespace of a root agent. */
  static async create(tools: ToolPaths, root: boolean, uid: number): Promise<SessionNamespaces> {
    const netName = root ? `${NETNS_PREFIX}${uid}` : undefined;
    const flags = root ? ['--ipc'] : ['--user', '--map-root-user', '--ipc', '--net'];
    const [command, args] = withParentDeathSignal(tools.unshare, [
      ...flags,
      '--',
      tools.sleep,
      'infinity',
    ]);
    const holder = spawn(command, args, {
      stdio: 'ignore',
      detached: true,
      env: { PATH: '/usr/bin:/bin' },
    });
    const untrack = holder.pid ? trackGroup(holder.pid) : () => undefined;
    const ns = new SessionNamespaces(
      tools,
      holder,
      untrack,
      netName ? `${NETNS_DIR}/${netName}` : `/proc/${holder.pid}/ns/net`,
      netName,
    );
    try {
      await ns.waitHolder();
      if (netName) {
        // a leftover of an agent that died with this id (cleanStaleNamespaces missed it)
        await runTool(tools.ip, ['netns', 'delete', netName]).catch(() => undefined);
        await runTool(tools.ip, ['netns', 'add', netName]);
      }
      return ns;
    } catch (err) {
      await ns.close();
      throw err;
    }
  }

  /**
   * The command prefix that enters these namespaces (`net`: the network one too). Credentials are
   * kept: a root agent stays root (it drops to the session user inside bubblewrap), a non-root
   * agent is root of the holder's user namespace.
   */
  enter(net: boolean): string[] {
    const args = [this.tools.nsenter, '--preserve-credentials'];
    if (this.userPath) args.push(`--user=${this.userPath}`);
    args.push(`--ipc=${this.ipcPath}`);
    if (net) args.push(`--net=${this.netPath}`);
    return args;
  }

  /** Runs `ip …` inside the network namespace; `batch`: one `ip` command per line, all at once. */
  async ip(args: readonly string[], batch?: readonly string[]): Promise<void> {
    const ipArgs = batch ? ['-batch', '-', ...args] : args;
    const input = batch ? `${batch.join('\n')}\n` : undefined;
    if (this.netName)
      await runTool(this.tools.ip, ['-n', this.netName, ...ipArgs], input ? { input } : {});
    else
      await runTool(
        this.tools.nsenter,
        [
          '--preserve-credentials',
          `--user=${this.userPath}`,
          `--net=${this.netPath}`,
          this.tools.ip,
          ...ipArgs,
        ],
        input ? { input } : {},
      );
  }

  /** Ends the holder and deletes the named network namespace (pasta then exits by itself). */
  async close(): Promise<void> {
    signalGroup(this.holder.pid, 'SIGKILL');
    await waitForExit(this.holder, 2000);
    this.untrack();
    if (this.netName)
      await runTool(this.tools.ip, ['netns', 'delete', this.netName]).catch(() => undefined);
  }

  private async waitHolder(): Promise<void> {
    const spawnError = new Promise<Error>((resolve) => this.holder.once('error', resolve));
    const deadline = Date.now() + 5000;
    for (;;) {
      const early = await Promise.race([
        exitOf(this.holder).then((e) => `exited (code ${e.code})`),
        spawnError.then((e) => `could not start (${(e as NodeJS.ErrnoException).code})`),
        new Promise<undefined>((r) => setTimeout(r, 20, undefined)),
      ]);
      if (early)
        throw new SandboxError(
          'sandbox_unavailable',
          `cannot create the session's namespaces: unshare ${early} (user namespaces off? see SECURITY.md)`,
        );
      // unshare has exec'd sleep once the holder's namespaces differ from ours
      if (this.holder.pid && (await nsDiffers(this.holder.pid))) return;
      if (Date.now() > deadline)
        throw new SandboxError('sandbox_failed', 'the namespace holder did not start');
    }
  }
}

async function nsDiffers(pid: number): Promise<boolean> {
  try {
    const [mine, theirs] = await Promise.all([
      readlink('/proc/self/ns/ipc'),
      readlink(`/proc/${pid}/ns/ipc`),
    ]);
    return mine !== theirs;
  } catch {
    return false;
  }
}

/**
 * Deletes the network namespaces and user id locks that root agents which died left behind
 * (SIGKILL gives no chance to clean up): those whose id is no longer held by a live agent.
 */
export async function cleanStaleNamespaces(tools: ToolPaths): Promise<string[]> {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(NETNS_DIR).filter((n) => new RegExp(`^${NETNS_PREFIX}\\d+$`).test(n));
  } catch {
    // no /run/netns: nothing left over
  }
  for (const name of names) {
    const uid = Number(name.slice(NETNS_PREFIX.length));
    if (identityInUse(uid)) continue;
    await runTool(tools.ip, ['netns', 'delete', name]).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  for (const uid of staleIdentities()) dropIdentityLock(uid);
  return removed;
}
