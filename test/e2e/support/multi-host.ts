/**
 * A real multi-host test bed on one machine: PostgreSQL (or PGlite), the edge under workerd, and
 * N host agents, each a process of its own in a network namespace of its own (`ip netns`, a veth
 * pair to a bridge, its own address, relay port, region and coordinates). The console's browser,
 * the edge and the test site live in the root namespace on the bridge's address; each host's relay
 * is reached at its own address. Needs root (namespaces, links); see test/README.md.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClient } from '../../../client/scripts/build.ts';
import { consoleAssets } from '../../../client/scripts/console-assets.ts';
import {
  freePort,
  migrate,
  type RunningEdge,
  startEdge,
  startPglite,
  startPostgres,
} from '../../../edge/local/index.ts';
import { seedMigratedPglite } from '../../../edge/test/support/pglite-template.ts';
import { withParentDeathSignal } from '../../../host-pool/src/runtime/parent-death.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface BedHostSpec {
  readonly name: string;
  readonly region: string;
  readonly lat: number;
  readonly lon: number;
  readonly maxSessions?: number;
  /** HOST_WARM_RUNTIMES (default 0: each warm runtime is a browser more on a shared machine). */
  readonly warmRuntimes?: number;
}

export interface TestBedOptions {
  readonly hosts: readonly BedHostSpec[];
  readonly database?: 'postgres' | 'pglite';
  /** Edge vars (HOST_LOST_AFTER_MS …). */
  readonly edgeVars?: Record<string, string>;
  /** Extra host agent environment for every host (HOST_PROFILE_SAVE_INTERVAL_SEC …). */
  readonly hostEnv?: Record<string, string>;
  /** Sweep period of the edge (marks lost hosts, places waiting sessions). */
  readonly sweepMs?: number;
}

export interface BedHost extends BedHostSpec {
  readonly netns: string;
  /** The host's own address on the bridge. */
  readonly address: string;
  readonly relayPort: number;
  /** What clients dial (plain WebSocket, forwarded to the relay's loopback port in its namespace). */
  readonly relayUrl: string;
  readonly dataDir: string;
  /** The agent's process id while it runs. */
  pid(): number | undefined;
  /** The host id the edge gave it (from its kept identity). */
  hostId(): string | undefined;
  /** Its log lines (JSON). */
  readonly logs: string[];
  /** SIGKILL to the agent and nothing else (its browsers must die with it). */
  kill(): Promise<void>;
  /** Starts the agent again on the same data directory; resolves once it enrolled. */
  start(): Promise<void>;
  /**
   * Xvfb and Chromium processes that belong to this host's sessions (by their paths), and with
   * `{ waitingWarm: true }` those of warm runtimes no session took yet.
   */
  sessionProcesses(o?: { waitingWarm?: boolean }): { pid: number; comm: string }[];
  /** Warm runtimes ready (as the agent logged) and waiting for a session (their directory names). */
  waitingWarmRuntimes(): string[];
}

export interface TestBed {
  readonly edge: RunningEdge;
  readonly url: string;
  readonly databaseUrl: string;
  /** The root namespace's address on the bridge (edge, test sites). */
  readonly gateway: string;
  readonly hosts: BedHost[];
  host(name: string): BedHost;
  stop(): Promise<void>;
}

/** Why the bed cannot run here (null when it can). */
export function testBedUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces and links); CI runs as root';
  for (const tool of ['ip', 'socat', 'tar'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `missing ${tool}`;
  return null;
}

function sh(args: readonly string[]): void {
  const res = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8' });
  if (res.status !== 0)
    throw new Error(`${args.join(' ')} failed: ${(res.stderr || res.stdout).trim()}`);
}

function shQuiet(args: readonly string[]): void {
  spawnSync(args[0] as string, args.slice(1), { stdio: 'ignore' });
}

/** The warm runtimes sessions took: `sessions/<id>` links the agent made to `warm-…`. */
function takenWarm(sessions: string): Set<string> {
  const taken = new Set<string>();
  for (const name of existsSync(sessions) ? readdirSync(sessions) : []) {
    try {
      taken.add(readlinkSync(join(sessions, name)));
    } catch {
      // a directory, not a link
    }
  }
  return taken;
}

/**
 * Xvfb and Chromium processes whose command line mentions the `sessions` directory, with the
 * directory under it each runs in; those of warm runtimes no session took only when asked.
 */
function processesUnder(
  sessions: string,
  waitingWarm: boolean,
): { pid: number; comm: string; dir: string }[] {
  const out: { pid: number; comm: string; dir: string }[] = [];
  const taken = takenWarm(sessions);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const at = cmdline.indexOf(`${sessions}/`);
      if (at < 0) continue;
      const dir = cmdline.slice(at + sessions.length + 1).split(/[/\0\s]/)[0] ?? '';
      if (!waitingWarm && dir.startsWith('warm-') && !taken.has(dir)) continue;
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (/^(Xvfb|chromium|chrome)/i.test(comm)) out.push({ pid: Number(entry), comm, dir });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export async function startTestBed(options: TestBedOptions): Promise<TestBed> {
  const tag = randomBytes(2).toString('hex');
  const subnet = `10.213.${16 + ((randomBytes(1)[0] as number) % 200)}`;
  const gateway = `${subnet}.1`;
  const bridge = `bpbr${tag}`;
  const dir = mkdtempSync(join(tmpdir(), 'bp-bed-'));
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    sh(['ip', 'link', 'add', 'name', bridge, 'type', 'bridge']);
    cleanups.push(() => shQuiet(['ip', 'link', 'del', bridge]));
    sh(['ip', 'addr', 'add', `${gateway}/24`, 'dev', bridge]);
    sh(['ip', 'link', 'set', bridge, 'up']);

    let databaseUrl: string;
    let migrateUrl: string;
    if ((options.database ?? 'postgres') === 'postgres') {
      const pg = await startPostgres({ pooler: true });
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
      migrateUrl = pg.directUrl;
    } else {
      await seedMigratedPglite(join(dir, 'pglite'));
      const db = await startPglite({ dataDir: join(dir, 'pglite') });
      cleanups.push(() => db.stop());
      databaseUrl = db.url;
      migrateUrl = db.url;
    }
    await migrate(migrateUrl, { log: () => {} });
    await buildClient();
    const edge = await startEdge({
      databaseUrl,
      host: gateway,
      dataDir: dir,
      assets: consoleAssets(),
      cronIntervalMs: options.sweepMs ?? 1_000,
      // hosts beat every second and are lost after 5 s without one (production: 5 s and 15 s)
      vars: { HOST_HEARTBEAT_INTERVAL_MS: '1000', HOST_LOST_AFTER_MS: '5000', ...options.edgeVars },
      log: () => {},
    });
    cleanups.push(() => edge.stop());

    const hosts: BedHost[] = [];
    for (const [i, spec] of options.hosts.entries()) {
      const netns = `bptb-${tag}-${i}`;
      const address = `${subnet}.${10 + i}`;
      const outside = `bpv${tag}${i}a`;
      const inside = `bpv${tag}${i}b`;
      sh(['ip', 'netns', 'add', netns]);
      cleanups.push(() => shQuiet(['ip', 'netns', 'del', netns]));
      sh(['ip', 'link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
      cleanups.push(() => shQuiet(['ip', 'link', 'del', outside]));
      sh(['ip', 'link', 'set', inside, 'netns', netns]);
      sh(['ip', 'link', 'set', outside, 'master', bridge]);
      sh(['ip', 'link', 'set', outside, 'up']);
      const inNs = (args: string[]) => sh(['ip', 'netns', 'exec', netns, ...args]);
      inNs(['ip', 'link', 'set', 'lo', 'up']);
      inNs(['ip', 'addr', 'add', `${address}/24`, 'dev', inside]);
      inNs(['ip', 'link', 'set', inside, 'up']);
      inNs(['ip', 'route', 'add', 'default', 'via', gateway]);

      const relayPort = 14443 + i;
      const plainPort = 15480 + i;
      const publicPort = 16480 + i;
      const relayUrl = `http://${address}:${publicPort}`;
      // the relay's plain WebSocket port listens on the namespace's loopback only; clients in the
      // root namespace reach it at the host's address
      const forward = spawn(
        ...withParentDeathSignal('ip', [
          'netns',
          'exec',
          netns,
          'socat',
          `TCP-LISTEN:${publicPort},bind=${address},fork,reuseaddr`,
          `TCP:127.0.0.1:${plainPort}`,
        ]),
        { stdio: 'ignore' },
      );
      cleanups.push(() => forward.kill('SIGKILL'));
      const dataDir = join(dir, 'hosts', spec.name);
      mkdirSync(dataDir, { recursive: true });
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        EDGE_URL: edge.url,
        HOST_ENROLLMENT_TOKEN: edge.secrets.hostEnrollmentToken,
        HOST_NAME: spec.name,
        HOST_REGION: spec.region,
        HOST_LAT: String(spec.lat),
        HOST_LON: String(spec.lon),
        HOST_MAX_SESSIONS: String(spec.maxSessions ?? 2),
        HOST_WARM_RUNTIMES: String(spec.warmRuntimes ?? 0),
        RELAY_HOST: '0.0.0.0',
        RELAY_PORT: String(relayPort),
        RELAY_PLAIN_PORT: String(plainPort),
        RELAY_PUBLIC_URL: relayUrl,
        HOST_DATA_DIR: dataDir,
        HOST_SANDBOX_UID_BASE: String(1_900_000_000 + 70_000 * (i + 1)),
        // the test sites listen on the bridge's address, a private one the sandbox blocks otherwise
        HOST_SANDBOX_ALLOW_NETS: `${gateway}/32`,
        ...options.hostEnv,
      };
      let child: ChildProcess | undefined;
      const logs: string[] = [];
      const start = () =>
        new Promise<void>((resolve, reject) => {
          const [command, args] = withParentDeathSignal(
            'ip',
            [
              'netns',
              'exec',
              netns,
              process.execPath,
              '--import',
              'tsx',
              join(ROOT, 'host-pool/src/main.ts'),
            ],
            'KILL',
          );
          const proc = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
          child = proc;
          let buffered = '';
          const onData = (chunk: Buffer) => {
            buffered += chunk.toString();
            for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
              const line = buffered.slice(0, at);
              buffered = buffered.slice(at + 1);
              logs.push(line);
              if (line.includes('"enrolled with the edge"')) resolve();
            }
          };
          proc.stdout?.on('data', onData);
          proc.stderr?.on('data', onData);
          proc.once('exit', (code, signal) =>
            reject(
              new Error(
                `${spec.name} exited (${signal ?? code}) before enrolling:\n${logs.slice(-20).join('\n')}`,
              ),
            ),
          );
        });
      const host: BedHost = {
        ...spec,
        netns,
        address,
        relayPort,
        relayUrl,
        dataDir,
        logs,
        pid: () =>
          child && child.exitCode === null && child.signalCode === null ? child.pid : undefined,
        hostId() {
          try {
            const kept = JSON.parse(readFileSync(join(dataDir, 'agent', 'identity.json'), 'utf8'));
            return (kept.hostId ?? kept.host_id) as string | undefined;
          } catch {
            return undefined;
          }
        },
        kill: async () => {
          const proc = child;
          if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGKILL');
          await exited;
        },
        start,
        sessionProcesses: (o) =>
          processesUnder(join(dataDir, 'sessions'), o?.waitingWarm ?? false).map(
            ({ pid, comm }) => ({ pid, comm }),
          ),
        waitingWarmRuntimes() {
          // the pool hands out a runtime once it logged it ready (its browser started)
          const ready = new Set(
            logs
              .filter((l) => l.includes('"warm runtime ready"'))
              .map((l) => /"name":"(warm-[0-9a-f-]{36})"/.exec(l)?.[1]),
          );
          const sessions = join(dataDir, 'sessions');
          const taken = takenWarm(sessions);
          const dirs = processesUnder(sessions, true)
            .filter((p) => p.comm === 'Xvfb' && ready.has(p.dir) && !taken.has(p.dir))
            .map((p) => p.dir);
          return [...new Set(dirs)].sort();
        },
      };
      cleanups.push(async () => {
        const proc = child;
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      });
      hosts.push(host);
    }
    await Promise.all(hosts.map((h) => h.start()));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // the directory goes last (after every agent stopped)
    cleanups.unshift(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.pop();
    return {
      edge,
      url: edge.url,
      databaseUrl,
      gateway,
      hosts,
      host(name) {
        const found = hosts.find((h) => h.name === name);
        if (!found) throw new Error(`no host ${name}`);
        return found;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export { freePort };
