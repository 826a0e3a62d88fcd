import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import type { SessionSandbox } from '../sandbox/index.ts';
import { AudioChild } from './child.ts';
import { AudioError } from './errors.ts';
import {
  CLIENT_CONF,
  DAEMON_CONF,
  type PulsePaths,
  pulseClientEnv,
  pulseDaemonArgs,
  pulseDaemonEnv,
  pulsePaths,
  pulseScript,
} from './pulse-config.ts';

/** Longest path a unix socket address can hold (sun_path) on Linux. */
const MAX_SOCKET_PATH = 107;
const RESTART_WINDOW_MS = 60_000;
const MAX_RESTARTS = 5;

export interface PulseServerOptions {
  readonly log: Logger;
  /** The `pulseaudio` binary (default: on PATH). */
  readonly pulseaudioPath?: string;
  /** Parent of the per-session directory (default: the OS temp dir; socket paths must be short). */
  readonly parentDir?: string;
  readonly startTimeoutMs?: number;
  /** Run the daemon inside this session sandbox (the session's user, only its own directory). */
  readonly sandbox?: SessionSandbox;
}

/**
 * One session's PulseAudio daemon: its own directory (0700) with the socket, runtime files and
 * configuration, started with explicit modules, supervised (restarted a few times if it dies,
 * killed with the agent), and removed with everything it left on `stop()`.
 */
export class PulseServer {
  private child: AudioChild | undefined;
  private stopping = false;
  private restarts: number[] = [];
  private readonly restartListeners = new Set<() => void>();

  private constructor(
    readonly paths: PulsePaths,
    private readonly options: PulseServerOptions,
  ) {}

  static async start(options: PulseServerOptions): Promise<PulseServer> {
    const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'bp-pa-'));
    const paths = pulsePaths(dir);
    const server = new PulseServer(paths, options);
    try {
      if (paths.socket.length > MAX_SOCKET_PATH)
        throw new AudioError('pulse_failed', 'PulseAudio socket path is too long');
      mkdirSync(paths.runtimeDir, { mode: 0o700 });
      mkdirSync(paths.configHome, { mode: 0o700 });
      writeFileSync(paths.daemonConf, DAEMON_CONF);
      writeFileSync(paths.clientConf, CLIENT_CONF);
      writeFileSync(paths.script, pulseScript(paths));
      // the daemon reads its configuration and writes its socket and runtime files as the
      // session's user
      for (const path of [
        paths.dir,
        paths.runtimeDir,
        paths.configHome,
        paths.daemonConf,
        paths.clientConf,
        paths.script,
      ])
        options.sandbox?.adoptFile(path);
      await server.launch();
      return server;
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  /** `PULSE_SERVER` and friends for Chromium and our own clients. */
  get clientEnv(): Record<string, string> {
    return pulseClientEnv(this.paths);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  /** Called after the daemon was restarted (streams to the old one are gone). */
  onRestart(listener: () => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.child?.stop();
    rmSync(this.paths.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    rmSync(this.paths.socket, { force: true });
    const program = this.options.pulseaudioPath ?? 'pulseaudio';
    const env = pulseDaemonEnv(this.paths);
    const confined = this.options.sandbox?.audio(
      program,
      pulseDaemonArgs(this.paths),
      env,
      this.paths.dir,
    );
    const child = new AudioChild({
      command: confined?.command ?? program,
      args: confined?.args ?? pulseDaemonArgs(this.paths),
      env: confined ? { PATH: env.PATH ?? '/usr/bin:/bin' } : env,
    });
    this.child = child;
    try {
      await this.waitReady(child);
    } catch (err) {
      await child.stop(500);
      throw err;
    }
    void child.exited.then((exit) => this.onExit(child, exit.code, exit.signal));
  }

  private async waitReady(child: AudioChild): Promise<void> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 10_000);
    for (;;) {
      if (child.spawnError)
        throw new AudioError('pulse_unavailable', 'cannot run pulseaudio', {
          cause: child.spawnError,
        });
      if (!child.running)
        throw new AudioError('pulse_failed', `pulseaudio exited: ${lastLines(child.log())}`);
      if (/Failed to load module|Failed to initialize/i.test(child.log()))
        throw new AudioError('pulse_failed', `pulseaudio setup failed: ${lastLines(child.log())}`);
      if (await canConnect(this.paths.socket)) return;
      if (Date.now() > deadline)
        throw new AudioError('pulse_failed', 'pulseaudio did not open its socket in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private onExit(child: AudioChild, code: number | null, signal: string | null): void {
    if (this.stopping || child.stopped || child !== this.child) return;
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    const log = this.options.log;
    if (this.restarts.length >= MAX_RESTARTS) {
      log.error('pulseaudio keeps exiting; audio is off for this session', { code, signal });
      return;
    }
    this.restarts.push(now);
    log.warn('pulseaudio exited; restarting', { code, signal, stderr: lastLines(child.log()) });
    setTimeout(() => {
      if (this.stopping) return;
      this.launch().then(
        () => {
          for (const l of this.restartListeners) l();
        },
        (err) => log.error('pulseaudio restart failed', { err }),
      );
    }, 250 * this.restarts.length).unref();
  }
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
}
