import {
  chmodSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { findExecutable } from '../runtime/find-executable.ts';
import { browserPolicy } from './browser-policy.ts';
import { type FilesystemView, viewArgs } from './filesystem.ts';
import {
  adoptFile,
  adoptTrees,
  claimIdentity,
  type SessionIdentity,
  sharedIdentity,
} from './identity.ts';
import { SessionNamespaces } from './namespaces.ts';
import { SESSION_GATEWAY, SessionNetwork } from './network.ts';
import type { SandboxSettings } from './settings.ts';
import { runTool, type ToolPaths } from './tools.ts';
import { audioView, browserView, displayView, type GeneratedEtc, generatedEtc } from './views.ts';

/** A command line that runs a program inside the session's sandbox. */
export interface SandboxedCommand {
  readonly command: string;
  readonly args: string[];
}

/** What creating one session's sandbox needs. */
export interface SessionSandboxOptions {
  readonly tools: ToolPaths;
  readonly settings: SandboxSettings;
  /** The agent runs as root: sessions get user ids of their own and named network namespaces. */
  readonly root: boolean;
  /** The session's directory (root-owned; the sandbox keeps its generated files in it). */
  readonly sessionDir: string;
  /** Where the browser's downloads go (the policy pins it). */
  readonly downloadDir: string;
  /** The browser's HOME (in the passwd entry of the session's user). */
  readonly homeDir: string;
}

/**
 * One session's sandbox: its identity (a user id of its own when the agent is root), its
 * namespaces (IPC shared by its Xvfb and browser, a network namespace behind pasta that reaches the
 * internet but not the host), its generated /etc and browser policy, and the command lines that
 * start its processes inside bubblewrap views. `close()` undoes all of it.
 */
export class SessionSandbox {
  private constructor(
    private readonly options: SessionSandboxOptions,
    readonly identity: SessionIdentity,
    private readonly releaseIdentity: () => void,
    readonly namespaces: SessionNamespaces,
    readonly network: SessionNetwork,
    private readonly etc: GeneratedEtc,
    private readonly etcDir: string,
  ) {}

  static async create(options: SessionSandboxOptions): Promise<SessionSandbox> {
    const claimed = options.root
      ? claimIdentity(options.settings.uidBase)
      : { identity: sharedIdentity(), release: () => undefined };
    const undo: Array<() => Promise<unknown> | undefined> = [async () => claimed.release()];
    try {
      const namespaces = await SessionNamespaces.create(
        options.tools,
        options.root,
        claimed.identity.uid,
      );
      undo.unshift(() => namespaces.close());
      const network = await SessionNetwork.start(
        options.tools,
        namespaces,
        options.root,
        options.settings,
      );
      undo.unshift(() => network.close());
      const etcDir = join(options.sessionDir, 'sandbox');
      const etc = writeEtc(etcDir, claimed.identity, options);
      undo.unshift(async () => rmSync(etcDir, { recursive: true, force: true }));
      return new SessionSandbox(
        options,
        claimed.identity,
        claimed.release,
        namespaces,
        network,
        etc,
        etcDir,
      );
    } catch (err) {
      for (const step of undo) await Promise.resolve(step()).catch(() => undefined);
      throw err;
    }
  }

  /** DevTools as the agent reaches it (pasta forwards it into the namespace). */
  get cdpHostPort(): number {
    return this.network.cdpHostPort;
  }

  /** DevTools port the browser listens on inside its namespace. */
  get cdpNsPort(): number {
    return this.network.cdpNsPort;
  }

  /** Hands directories the session writes (profile, downloads …) to its user. */
  adoptDirs(dirs: readonly string[]): Promise<void> {
    return adoptTrees(this.options.tools, this.identity, dirs);
  }

  /** Hands one file the agent made (in a directory the session cannot change) to its user. */
  adoptFile(path: string): void {
    adoptFile(this.identity, path);
  }

  /** Xvfb: no network at all, the session's IPC namespace (MIT-SHM with the browser). */
  display(
    command: string,
    args: readonly string[],
    env: Readonly<Record<string, string>>,
    authFile: string,
  ): SandboxedCommand {
    return this.wrap(command, args, displayView({ authFile, env }), 'none', 'session');
  }

  /** The session's PulseAudio: no network, its own IPC namespace, only its directory. */
  audio(
    command: string,
    args: readonly string[],
    env: Readonly<Record<string, string>>,
    dir: string,
  ): SandboxedCommand {
    return this.wrap(command, args, audioView({ dir, env }), 'none', 'own');
  }

  /** The browser: the session's network and IPC namespaces, its own files, the policy. */
  browser(
    command: string,
    args: readonly string[],
    options: {
      readonly env: Readonly<Record<string, string>>;
      readonly rw: readonly string[];
      readonly ro: readonly string[];
      readonly displayNumber: number;
      readonly devices?: readonly string[];
    },
  ): SandboxedCommand {
    const view = browserView({
      ...options,
      ro: [...options.ro, ...programDirs(command)],
      etc: this.etc,
    });
    // a device node it was given (a leased camera) opens through its group, as on the host
    const groups = [...new Set((options.devices ?? []).map((d) => statSync(d).gid))];
    return this.wrap(command, args, view, 'session', 'session', groups);
  }

  /**
   * The process a sandboxed command runs, where signals meant for the program go (undefined until
   * it exists). bubblewrap keeps a reaper as pid 1 of the new pid namespace and runs the program
   * under it: spawned bwrap → reaper → program. The reaper stays root (a root agent) so the
   * kernel's parent-death signal reaches it when bwrap dies, and with it the whole namespace ends;
   * a program that is pid 1 itself and another user would not get that signal.
   */
  static mainPid(spawnedPid: number): number | undefined {
    const reaper = firstChild(spawnedPid);
    return reaper === undefined ? undefined : firstChild(reaper);
  }

  /**
   * Copies `from` to `to` as the browser sees them: in the mount namespace of its process `pid`,
   * as the session's user, so only what the browser itself may read can be copied, and only where
   * it may write (a download an automation client sent into the sandbox's private /tmp).
   */
  async copyInView(pid: number, from: string, to: string): Promise<void> {
    const { tools, root } = this.options;
    const { uid, gid } = this.identity;
    // A non-root agent reaches the browser's mounts through the holder's user namespace (the
    // browser's is nested in it; the kernel will not let the agent skip a level).
    const enter = root
      ? [tools.nsenter, `--target=${pid}`, '--mount']
      : [
          tools.nsenter,
          `--target=${this.namespaces.holderPid}`,
          '--user',
          '--preserve-credentials',
          tools.nsenter,
          `--target=${pid}`,
          '--user',
          '--mount',
          '--preserve-credentials',
        ];
    const drop = root
      ? [tools.setpriv, '--reuid', String(uid), '--regid', String(gid), '--clear-groups']
      : [tools.setpriv];
    const [command, ...args] = [
      ...enter,
      ...drop,
      '--no-new-privs',
      '--',
      '/usr/bin/cp',
      '--',
      from,
      to,
    ];
    await runTool(command as string, args, { timeoutMs: 60_000 });
  }

  async close(): Promise<void> {
    await this.network.close().catch(() => undefined);
    await this.namespaces.close().catch(() => undefined);
    rmSync(this.etcDir, { recursive: true, force: true });
    this.releaseIdentity();
  }

  private wrap(
    command: string,
    args: readonly string[],
    view: FilesystemView,
    network: 'session' | 'none',
    ipc: 'session' | 'own',
    groups: readonly number[] = [],
  ): SandboxedCommand {
    const { tools, root } = this.options;
    const { uid, gid } = this.identity;
    const program = findExecutable(command) ?? command;
    const bwrap: string[] = [];
    // A non-root agent is root of the holder's user namespace; the program gets a user of its own
    // (Chromium refuses to run as root with its sandbox on).
    if (!root) bwrap.push('--unshare-user', '--uid', String(uid), '--gid', String(gid));
    bwrap.push(
      '--unshare-pid',
      '--unshare-uts',
      '--hostname',
      'browserpane',
      '--unshare-cgroup-try',
      '--die-with-parent',
      '--new-session',
    );
    if (network === 'none') bwrap.push('--unshare-net');
    if (ipc === 'own') bwrap.push('--unshare-ipc');
    bwrap.push(...viewArgs(view));
    // A root agent's bubblewrap keeps only what setpriv needs to become the session's user.
    if (root) bwrap.push('--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID');
    const supplementary = groups.length ? [`--groups=${groups.join(',')}`] : ['--clear-groups'];
    const drop = root ? ['--reuid', String(uid), '--regid', String(gid), ...supplementary] : [];
    const enter = this.namespaces.enter(network === 'session');
    return {
      command: enter[0] as string,
      args: [
        ...enter.slice(1),
        tools.bwrap,
        ...bwrap,
        '--',
        tools.setpriv,
        ...drop,
        '--no-new-privs',
        '--pdeathsig',
        'KILL',
        '--',
        program,
        ...args,
      ],
    };
  }
}

/** Writes the session's generated /etc files (root-owned, world-readable, outside its view). */
function writeEtc(
  dir: string,
  identity: SessionIdentity,
  options: SessionSandboxOptions,
): GeneratedEtc {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // modes spelled out: the agent's umask (systemd's UMask=0027) must not hide them from the session
  chmodSync(dir, 0o755);
  const contents = generatedEtc({
    uid: identity.uid,
    gid: identity.gid,
    home: options.homeDir,
    nameserver: SESSION_GATEWAY,
  });
  const files = {
    passwd: join(dir, 'passwd'),
    group: join(dir, 'group'),
    hosts: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
    policy: join(dir, 'policy.json'),
  };
  const policy = JSON.stringify(browserPolicy({ downloadDir: options.downloadDir }), null, 2);
  for (const [key, text] of [...Object.entries(contents), ['policy', policy]] as const) {
    const file = files[key as keyof GeneratedEtc];
    writeFileSync(file, text);
    chmodSync(file, 0o644);
  }
  return files;
}

/** A browser installed outside /usr (e.g. /opt/google/chrome) needs its directory in the view. */
function programDirs(command: string): string[] {
  const path = findExecutable(command);
  if (!path) return [];
  const real = realpathSync(path);
  return real.startsWith('/usr/') ? [] : [dirname(real)];
}

function firstChild(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    const child = Number(first);
    return Number.isInteger(child) && child > 0 ? child : undefined;
  } catch {
    return undefined;
  }
}
