import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { withParentDeathSignal } from '../runtime/parent-death.ts';
import {
  exitOf,
  signalGroup,
  TailBuffer,
  trackGroup,
  waitForExit,
} from '../runtime/process-tools.ts';
import { SandboxError } from './errors.ts';
import type { SessionNamespaces } from './namespaces.ts';
import type { ToolPaths } from './tools.ts';

/** The session's address, its (fake) gateway and DNS server: pasta answers there. */
export const SESSION_ADDRESS = '169.254.1.2';
export const SESSION_GATEWAY = '169.254.1.1';

/**
 * Destinations a session never reaches unless the operator allows them: "this network",
 * private, carrier-grade NAT, link-local (cloud metadata at 169.254.169.254), benchmarking,
 * multicast and reserved ranges. The host's own addresses are added per host. The session's /30
 * to its gateway stays more specific than 169.254.0.0/16, so DNS still works.
 */
export const BLOCKED_NETS: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
];

/** What a session may reach besides the internet. */
export interface NetworkAllowance {
  readonly allowHostPorts: readonly number[];
  readonly allowNets: readonly string[];
}

/** The host's own IPv4 addresses (every interface but loopback), as /32 networks. */
export function hostAddresses(): string[] {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.add(`${a.address}/32`);
  return [...out];
}

/** `8080,9000-9010` in pasta's port syntax (consecutive ports folded into ranges), or `none`. */
export function portSpec(ports: readonly number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.length ? parts.join(',') : 'none';
}

/** pasta's arguments for one session (exported for tests). */
export function pastaArgs(options: {
  root: boolean;
  ns: { netName: string | undefined; netPath: string; userPath: string | undefined };
  cdp: { hostPort: number; nsPort: number };
  allowHostPorts: readonly number[];
}): string[] {
  const args = [
    '--quiet',
    '--foreground',
    '--config-net',
    '--ipv4-only',
    '--no-map-gw',
    '--no-dhcp',
    '--address',
    SESSION_ADDRESS,
    '--netmask',
    '30',
    '--gateway',
    SESSION_GATEWAY,
    '--dns-forward',
    SESSION_GATEWAY,
    // Only what is named here crosses between the namespace and the host's loopback: pasta's
    // default (`auto`) would forward every port bound on either side.
    '--tcp-ports',
    `127.0.0.1/${options.cdp.hostPort}:${options.cdp.nsPort}`,
    '--udp-ports',
    'none',
    '--tcp-ns',
    portSpec(options.allowHostPorts),
    '--udp-ns',
    'none',
  ];
  // pasta drops CAP_SYS_PTRACE, so a root agent's pasta attaches by name (it may not open
  // /proc/<pid>/ns of another user) and stays root to do so
  if (options.root) args.push('--runas', '0', '--netns', options.ns.netName as string);
  else args.push('--userns', options.ns.userPath as string, '--netns', options.ns.netPath);
  return args;
}

/** The network of one session: pasta in front of its namespace, and the routes that fence it. */
export class SessionNetwork {
  private constructor(
    private readonly pasta: ChildProcess,
    private readonly untrack: () => void,
    /** DevTools as the agent reaches it: 127.0.0.1:<cdpHostPort> on the host. */
    readonly cdpHostPort: number,
    /** DevTools port inside the namespace (Chromium's --remote-debugging-port). */
    readonly cdpNsPort: number,
  ) {}

  static async start(
    tools: ToolPaths,
    ns: SessionNamespaces,
    root: boolean,
    allowance: NetworkAllowance,
  ): Promise<SessionNetwork> {
    const cdpNsPort = [9222, 9229, 9333].find((p) => !allowance.allowHostPorts.includes(p)) ?? 9222;
    // routes first: nothing in the namespace can reach a blocked range at any moment
    const blocked = [...BLOCKED_NETS, ...hostAddresses()].filter(
      (net) => !allowance.allowNets.includes(net),
    );
    await ns.ip(
      [],
      [...new Set(blocked)].map((net) => `route add prohibit ${net}`),
    );
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const cdpHostPort = await freeLoopbackPort();
      try {
        const network = await SessionNetwork.launch(tools, ns, root, allowance, {
          hostPort: cdpHostPort,
          nsPort: cdpNsPort,
        });
        if (allowance.allowNets.length)
          await ns.ip(
            [],
            allowance.allowNets.map((net) => `route replace ${net} via ${SESSION_GATEWAY}`),
          );
        return network;
      } catch (err) {
        lastError = err;
        // another process took the port between our probe and pasta's bind: try another
      }
    }
    throw lastError;
  }

  private static async launch(
    tools: ToolPaths,
    ns: SessionNamespaces,
    root: boolean,
    allowance: NetworkAllowance,
    cdp: { hostPort: number; nsPort: number },
  ): Promise<SessionNetwork> {
    const [command, args] = withParentDeathSignal(
      tools.pasta,
      pastaArgs({ root, ns, cdp, allowHostPorts: allowance.allowHostPorts }),
    );
    const pasta = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      env: { PATH: '/usr/bin:/bin' },
    });
    const log = new TailBuffer(8 * 1024);
    pasta.stderr?.on('data', (c: Buffer) => log.push(c));
    const untrack = pasta.pid ? trackGroup(pasta.pid) : () => undefined;
    const network = new SessionNetwork(pasta, untrack, cdp.hostPort, cdp.nsPort);
    const spawnError = new Promise<Error>((resolve) => pasta.once('error', resolve));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const early = await Promise.race([
        exitOf(pasta).then((e) => `exited (code ${e.code})`),
        spawnError.then((e) => `could not start (${(e as NodeJS.ErrnoException).code})`),
        new Promise<undefined>((r) => setTimeout(r, 25, undefined)),
      ]);
      if (early) {
        await network.close();
        throw new SandboxError('sandbox_failed', `pasta ${early}: ${pastaLog(log)}`);
      }
      if ((await accepts(cdp.hostPort)) && (await hasDefaultRoute(ns))) return network;
      if (Date.now() > deadline) {
        await network.close();
        throw new SandboxError('sandbox_failed', `pasta did not come up: ${pastaLog(log)}`);
      }
    }
  }

  get pid(): number | undefined {
    return this.pasta.pid;
  }

  /** Stops pasta (it also exits by itself when its named namespace is deleted). */
  async close(): Promise<void> {
    signalGroup(this.pasta.pid, 'SIGTERM');
    if (!(await waitForExit(this.pasta, 2000))) signalGroup(this.pasta.pid, 'SIGKILL');
    await waitForExit(this.pasta, 2000);
    this.untrack();
  }
}

/** pasta's stderr without the "cannot log to syslog" noise it prints in containers. */
function pastaLog(log: TailBuffer): string {
  return log
    .toString()
    .split('\n')
    .filter((l) => l.trim() && !/Failed to send .* to syslog/.test(l))
    .slice(-3)
    .join(' | ')
    .slice(0, 400);
}

async function hasDefaultRoute(ns: SessionNamespaces): Promise<boolean> {
  try {
    await ns.ip(['-4', 'route', 'get', '1.1.1.1']);
    return true;
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
