import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { freePort, waitFor } from './ports.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SYSTEM_PACKAGES = join(REPO, 'deploy', 'local', 'system-packages.sh');

export interface StartPostgresOptions {
  /** TCP port on 127.0.0.1; absent = a free port. */
  port?: number;
  /** Also start PgBouncer (transaction pooling) in front, as Hyperdrive is in production. */
  pooler?: boolean;
  /** Server output (default: discarded; the server's log file stays in its data dir until stop). */
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** What the edge should use: through PgBouncer when `pooler`, else the server itself. */
  url: string;
  /** The server itself (migrations, admin). */
  directUrl: string;
  pooled: boolean;
  /** Stops the server (fast shutdown: open connections are cut) and starts it again on the same data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Installs missing Debian packages (postgresql, pgbouncer) with the repository's script. */
function ensureSystemPackages(): void {
  const res = spawnSync('bash', [SYSTEM_PACKAGES], { stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`${SYSTEM_PACKAGES} failed (exit ${res.status})`);
}

/** The newest installed PostgreSQL server's bin directory (Debian layout). */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) ensureSystemPackages();
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return join(base, versions[0] as string, 'bin');
}

function pgbouncerBin(): string {
  const bin = '/usr/sbin/pgbouncer';
  if (!existsSync(bin)) ensureSystemPackages();
  if (!existsSync(bin)) throw new Error('pgbouncer not found (Debian package "pgbouncer")');
  return bin;
}

/** Postgres and PgBouncer refuse to run as root: run them as the `postgres` OS user then. */
function asServiceUser(cmd: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function ownDir(dir: string): void {
  if (!isRoot()) return;
  const res = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (res.status !== 0)
    throw new Error(
      'running as root needs a "postgres" OS user (Debian package postgresql creates it)',
    );
  chownSync(dir, Number(res.stdout.trim()), Number(gid.stdout.trim()));
}

function run(cmd: string, args: string[]): void {
  const [c, a] = asServiceUser(cmd, args);
  const res = spawnSync(c, a, { encoding: 'utf8' });
  if (res.status !== 0)
    throw new Error(`${cmd} failed: ${(res.stderr || res.stdout).trim().slice(0, 500)}`);
}

function spawnService(cmd: string, args: string[], log?: (line: string) => void): ChildProcess {
  const [c, a] = asServiceUser(cmd, args);
  // Own process group: `runuser` does not pass signals on, so stop() signals the whole group.
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const forward = (chunk: Buffer) => {
    if (!log) return;
    for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL');
      resolve();
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signalGroup(child, signal);
  });
}

async function canQuery(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export interface RunningPgbouncer {
  url: string;
  stop(): Promise<void>;
}

/**
 * PgBouncer in transaction-pooling mode in front of a Postgres on 127.0.0.1 (trust auth): plays
 * Hyperdrive's role locally, so a Worker's per-request connection costs no backend fork.
 */
export async function startPgbouncer(options: {
  targetPort: number;
  port?: number;
  poolSize?: number;
  log?: (line: string) => void;
}): Promise<RunningPgbouncer> {
  const bin = pgbouncerBin();
  const dir = mkdtempSync(join(tmpdir(), 'bp-pgbouncer-'));
  const port = options.port ?? (await freePort());
  writeFileSync(join(dir, 'userlist.txt'), '"postgres" ""\n');
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=127.0.0.1 port=${options.targetPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 2000',
      `default_pool_size = ${options.poolSize ?? 8}`,
      'ignore_startup_parameters = extra_float_digits,options,application_name',
      'server_reset_query =',
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      'log_connections = 0',
      'log_disconnections = 0',
      'log_pooler_errors = 1',
      '',
    ].join('\n'),
  );
  for (const f of ['userlist.txt', 'pgbouncer.ini']) chmodSync(join(dir, f), 0o644);
  ownDir(dir);
  const child = spawnService(bin, [join(dir, 'pgbouncer.ini')], options.log);
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitFor('pgbouncer', async () => {
      if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}`);
      return canQuery(url);
    });
  } catch (error) {
    await stopChild(child, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    async stop() {
      await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A throwaway PostgreSQL server: initdb in a temp dir (as the `postgres` user when root), trust
 * auth on 127.0.0.1 only, durability off for speed (tests and benchmarks, never real data).
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  const base = mkdtempSync(join(tmpdir(), 'bp-postgres-'));
  chmodSync(base, 0o755);
  ownDir(base);
  const dataDir = join(base, 'data');
  run(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--no-sync',
    '--locale=C',
  ]);
  const port = options.port ?? (await freePort());
  const serve = () =>
    spawnService(
      join(bin, 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-k',
        base,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=300',
        '-c',
        'shared_buffers=128MB',
      ],
      options.log,
    );
  let child = serve();
  const directUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  const cleanup = async () => {
    await stopChild(child, 'SIGINT');
    rmSync(base, { recursive: true, force: true });
  };
  try {
    await waitFor('postgres', async () => {
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
      return canQuery(directUrl);
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  let bouncer: RunningPgbouncer | undefined;
  if (options.pooler) {
    try {
      bouncer = await startPgbouncer({ targetPort: port, log: options.log });
    } catch (error) {
      await cleanup();
      throw error;
    }
  }
  return {
    url: bouncer?.url ?? directUrl,
    directUrl,
    pooled: bouncer !== undefined,
    async restart() {
      await stopChild(child, 'SIGINT');
      child = serve();
      await waitFor('postgres', async () => {
        if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
        return canQuery(directUrl);
      });
    },
    async stop() {
      await bouncer?.stop();
      await cleanup();
    },
  };
}
