import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConsole } from '../../client/scripts/build.ts';
import { buildWorker, EDGE_DIR } from './build.ts';
import type { RunningEdge } from './edge.ts';
import { edgeEndpoints, localEdgeSettings } from './edge-endpoints.ts';
import { waitFor } from './ports.ts';

const REPO_DIR = join(EDGE_DIR, '..');
/** The checked-in plain-workerd config (self-hosting); every setting comes from the environment. */
export const WORKERD_CONFIG = join(REPO_DIR, 'deploy', 'workerd', 'edge.capnp');
/** The config's ASSETS worker (`embed "console-assets.js"`): console paths and content types. */
export const WORKERD_CONSOLE_WORKER = join(REPO_DIR, 'deploy', 'workerd', 'console-assets.js');
/** Where `npm run build:workerd` puts the bundle the config embeds (`embed "dist/worker.js"`). */
export const WORKERD_BUNDLE = join(REPO_DIR, 'deploy', 'workerd', 'dist', 'worker.js');
/**
 * The built console the config serves as ASSETS: its `console-files` disk service, at this path
 * relative to the repository root (workerd's working directory); also made by `build:workerd`.
 */
export const WORKERD_CONSOLE_PATH = 'deploy/workerd/dist/console';
export const WORKERD_CONSOLE = join(REPO_DIR, WORKERD_CONSOLE_PATH);

/** The workerd binary of the installed `workerd` package (or `WORKERD_PATH`). */
export function workerdBinary(): string {
  if (process.env.WORKERD_PATH) return process.env.WORKERD_PATH;
  return (createRequire(import.meta.url)('workerd') as { default: string }).default;
}

/** Bundles the worker for plain workerd to `out` (default: next to deploy/workerd/edge.capnp). */
export async function buildWorkerdBundle(out = WORKERD_BUNDLE): Promise<string> {
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, await buildWorker());
  return out;
}

/** Builds the console into `dir` (default: the config's `console-files` directory). */
export async function buildWorkerdConsole(dir = WORKERD_CONSOLE): Promise<string> {
  await buildConsole(dir);
  return dir;
}

export interface StartWorkerdOptions {
  /** postgres:// URL (`DATABASE_URL`), ideally a transaction pooler in front of PostgreSQL. */
  databaseUrl: string;
  port?: number;
  host?: string;
  /** `EDGE_URL`; default `http://<host>:<port>`. */
  publicUrl?: string;
  /** Extra or overriding settings (the binding names of deploy/workerd/edge.capnp). */
  vars?: Record<string, string>;
  /** Keeps generated dev secrets here (as startEdge does). */
  dataDir?: string;
  /** Opens workerd's V8 inspector on 127.0.0.1:<port> (CPU profiles). */
  inspectorPort?: number;
  /** workerd's output lines (default: stderr, prefixed `[edge]`). */
  log?: (line: string) => void;
}

export type RunningWorkerd = Omit<RunningEdge, 'miniflare' | 'triggerScheduled' | 'sendJob'> & {
  /** The workerd process (CPU accounting in the benchmark). */
  pid: number;
};

function forwardLines(stream: NodeJS.ReadableStream | null, log: (line: string) => void): void {
  let buffered = '';
  stream?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) log(line);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs the edge as it is self-hosted: `workerd serve deploy/workerd/edge.capnp` (no Miniflare, no
 * entry worker), with the settings in workerd's environment. A copy of the config, the bundle and
 * the built console go to a temp dir laid out as the repository (`deploy/workerd/…`), and workerd
 * runs there, so concurrent instances do not share files and the config's relative console
 * directory resolves as it does from the repository root.
 */
export async function startWorkerd(options: StartWorkerdOptions): Promise<RunningWorkerd> {
  const settings = await localEdgeSettings(options);
  const { host, port, publicUrl, log } = settings;
  const vars = { ...settings.vars, DATABASE_URL: options.databaseUrl };
  const dir = mkdtempSync(join(tmpdir(), 'bp-workerd-'));
  const configDir = join(dir, 'deploy', 'workerd');
  const config = join(configDir, 'edge.capnp');
  // The disk artifact store: kept with the data dir when there is one, else in the temp dir.
  const artifacts = options.dataDir
    ? join(options.dataDir, 'artifacts')
    : join(dir, 'var', 'artifacts');
  try {
    await buildWorkerdBundle(join(configDir, 'dist', 'worker.js'));
    await buildWorkerdConsole(join(dir, WORKERD_CONSOLE_PATH));
    copyFileSync(WORKERD_CONFIG, config);
    copyFileSync(WORKERD_CONSOLE_WORKER, join(configDir, 'console-assets.js'));
    mkdirSync(artifacts, { recursive: true });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const args = [
    'serve',
    config,
    `--socket-addr=http=${host}:${port}`,
    `--directory-path=artifacts=${artifacts}`,
  ];
  if (options.inspectorPort) args.push(`--inspector-addr=127.0.0.1:${options.inspectorPort}`);
  // Only what workerd needs: the settings, not this process's environment.
  const child = spawn(workerdBinary(), args, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  forwardLines(child.stdout, log);
  forwardLines(child.stderr, log);
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://${host}:${port}`;
  try {
    await waitFor(
      'workerd',
      async () => {
        if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}`);
        return (await fetch(`${url}/healthz`)).ok;
      },
      90_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    port,
    pid: child.pid as number,
    ...edgeEndpoints(publicUrl, vars),
    stop,
  };
}
