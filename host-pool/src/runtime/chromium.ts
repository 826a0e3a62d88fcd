import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WINDOW_OVERHANG } from '../cdp/window-bounds.ts';
import { SessionSandbox } from '../sandbox/session-sandbox.ts';
import { RuntimeError } from './errors.ts';
import { findExecutable } from './find-executable.ts';
import { closeOverCdp } from './graceful-close.ts';
import { withParentDeathSignal } from './parent-death.ts';
import {
  type ExitInfo,
  exitOf,
  signalGroup,
  TailBuffer,
  trackGroup,
  waitForExit,
} from './process-tools.ts';
import { browserWritableDirs, type SessionPaths } from './profile.ts';

/** Debian's launcher script execs this binary; starting it directly skips the wrapper's flags. */
const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The Chromium binary to run: `BROWSERPANE_CHROMIUM`, else the first installed candidate. */
export function findChromium(): string {
  const fromEnv = process.env.BROWSERPANE_CHROMIUM;
  if (fromEnv) return fromEnv;
  for (const c of CANDIDATES) if (existsSync(c)) return c;
  throw new RuntimeError(
    'chromium_not_found',
    `Chromium not found (tried ${CANDIDATES.join(', ')})`,
  );
}

/** How to launch one Chromium for a session. */
export interface ChromiumLaunchOptions {
  readonly executable?: string;
  readonly display: string;
  readonly paths: SessionPaths;
  readonly width: number;
  readonly height: number;
  /** DevTools port on 127.0.0.1; 0 lets Chromium pick a free one. */
  readonly cdpPort: number;
  readonly startUrl?: string;
  /** Reopen the previous session's tabs (used when restarting after a crash). */
  readonly restoreLastSession?: boolean;
  readonly extraArgs?: readonly string[];
  /** Extra environment (e.g. PULSE_SERVER); the agent's own environment is not inherited. */
  readonly env?: Readonly<Record<string, string>>;
  /** Give up waiting for DevTools after this long (default 20 s). */
  readonly timeoutMs?: number;
  /**
   * Run the browser inside this session sandbox, with Chromium's own sandbox on. DevTools then
   * listens inside the session's network namespace and `cdpPort` is the host side of pasta's
   * forward; `cdpPort` above is ignored.
   */
  readonly sandbox?: SessionSandbox;
  /** The X display number (`:N`), whose socket the sandbox binds in. */
  readonly displayNumber?: number;
  /** More paths the sandboxed browser may read (the audio socket's directory). */
  readonly readablePaths?: readonly string[];
  /** Device nodes the sandboxed browser may open (a leased camera). */
  readonly devices?: readonly string[];
}

/** A running Chromium browser process (leader of its own process group). */
export interface ChromiumProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly cdpPort: number;
  /** `ws://127.0.0.1:<port>/devtools/browser/<id>` */
  readonly browserWsUrl: string;
  readonly exited: Promise<ExitInfo>;
  log(): string;
  /**
   * Closes the browser as a person quitting it would (CDP `Browser.close`: it writes its cookies,
   * localStorage and open tabs to the profile), SIGTERM if that is not answered, SIGKILL to the
   * whole group when it has not exited after `timeoutMs`.
   */
  stop(timeoutMs: number): Promise<void>;
  /** SIGKILL to the whole process group. */
  kill(): Promise<void>;
}

/**
 * Flags for a clean, predictable remote browser: no first-run UI, no default-browser prompt, no
 * crash-restore bubble, no smooth scrolling (so a wheel notch is one crisp copy-rect), software
 * compositing, DevTools on loopback only. In a session sandbox Chromium keeps its own sandbox;
 * only a browser outside it (tests, HOST_SANDBOX=off) runs with `--no-sandbox`, and `--test-type`
 * hides that flag's infobar there.
 */
export function chromiumArgs(options: ChromiumLaunchOptions): string[] {
  const cdpPort = options.sandbox ? options.sandbox.cdpNsPort : options.cdpPort;
  const args = [
    ...(options.sandbox ? [] : ['--no-sandbox', '--test-type']),
    '--ozone-platform=x11',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--disable-breakpad',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-search-engine-choice-screen',
    '--disable-features=Translate,MediaRouter,DialMediaRouteProvider,OptimizationHints',
    '--no-first-run',
    '--no-default-browser-check',
    '--no-pings',
    '--noerrdialogs',
    '--hide-crash-restore-bubble',
    '--disable-smooth-scrolling',
    '--force-device-scale-factor=1',
    '--password-store=basic',
    `--user-data-dir=${options.paths.profile}`,
    `--remote-debugging-port=${cdpPort}`,
    '--remote-debugging-address=127.0.0.1',
    '--window-position=0,0',
    // one pixel more than the display each way, as fitWindowsToDisplay sizes it (see there)
    `--window-size=${options.width + WINDOW_OVERHANG},${options.height + WINDOW_OVERHANG}`,
  ];
  if (options.restoreLastSession) args.push('--restore-last-session');
  args.push(...(options.extraArgs ?? []));
  if (options.startUrl && !options.restoreLastSession) args.push(options.startUrl);
  return args;
}

function chromiumEnv(options: ChromiumLaunchOptions): NodeJS.ProcessEnv {
  const home = options.paths.home;
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    DISPLAY: options.display,
    XAUTHORITY: options.paths.xauthority,
    ...options.env,
  };
}

function readActivePort(profileDir: string): { port: number; path: string } | undefined {
  try {
    const [portLine, pathLine] = readFileSync(join(profileDir, 'DevToolsActivePort'), 'utf8')
      .trim()
      .split('\n');
    const port = Number.parseInt(portLine ?? '', 10);
    if (!Number.isInteger(port) || port <= 0 || !pathLine?.startsWith('/devtools/browser/'))
      return undefined;
    return { port, path: pathLine };
  } catch {
    return undefined;
  }
}

/** Chromium announces `DevTools listening on ws://…` on stderr (and writes the file only for port 0). */
function listeningFromLog(text: string): { port: number; path: string } | undefined {
  const m = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)(\/devtools\/browser\/[\w-]+)/.exec(
    text,
  );
  if (!m) return undefined;
  return { port: Number.parseInt(m[1] as string, 10), path: m[2] as string };
}

/** The command line of the browser: as it is, or confined to the session sandbox. */
function browserCommand(executable: string, options: ChromiumLaunchOptions): [string, string[]] {
  const args = chromiumArgs(options);
  const sandbox = options.sandbox;
  if (!sandbox) return [executable, args];
  const env = Object.fromEntries(
    Object.entries(chromiumEnv(options)).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const confined = sandbox.browser(executable, args, {
    env,
    rw: browserWritableDirs(options.paths),
    ro: [options.paths.xauthority, ...(options.readablePaths ?? [])],
    displayNumber: options.displayNumber ?? Number(options.display.replace(/^:/, '')),
    devices: options.devices ?? [],
  });
  return [confined.command, confined.args];
}

/**
 * Starts Chromium and resolves once its DevTools endpoint is up (announced on stderr and, for
 * port 0, in `DevToolsActivePort` in the profile). Rejects with `cdp_unavailable`
 * if the requested port is taken, so the caller can retry with port 0.
 */
export async function launchChromium(options: ChromiumLaunchOptions): Promise<ChromiumProcess> {
  const wanted = options.executable ?? findChromium();
  const executable = findExecutable(wanted);
  if (!executable) throw new RuntimeError('chromium_not_found', `Chromium not found: ${wanted}`);
  const [command, args] = withParentDeathSignal(...browserCommand(executable, options));
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    // a sandboxed browser gets its environment from bubblewrap (chromiumEnv, nothing more)
    env: options.sandbox ? { PATH: '/usr/bin:/bin' } : chromiumEnv(options),
  });
  const log = new TailBuffer(64 * 1024);
  // the wait for DevTools below wakes on new output, not only on its 50 ms tick
  let output: (() => void) | undefined;
  const onOutput = (c: Buffer) => {
    log.push(c);
    output?.();
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  const exited = exitOf(child);
  const pid = child.pid;
  const untrack = pid ? trackGroup(pid) : () => undefined;
  void exited.then(() => untrack());

  const kill = async (): Promise<void> => {
    signalGroup(pid, 'SIGKILL');
    await waitForExit(child, 5000);
    // renderers and zygotes share the group; reap any the browser left behind
    signalGroup(pid, 'SIGKILL');
  };

  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  // The sandboxed browser's profile is the session user's: never read a file it may have made a
  // link; its DevTools port is fixed and announced on stderr.
  const announced = () =>
    options.sandbox
      ? listeningFromLog(log.toString())
      : (readActivePort(options.paths.profile) ?? listeningFromLog(log.toString()));
  // the port the agent dials: pasta's host side for a sandboxed browser
  const reachable = (port: number) => options.sandbox?.cdpHostPort ?? port;
  const browserWsUrl = (active: { port: number; path: string }) =>
    `ws://127.0.0.1:${reachable(active.port)}${active.path}`;
  // signals go to the browser itself, not to bubblewrap around it
  const browserPid = (): number | undefined =>
    options.sandbox && pid ? (SessionSandbox.mainPid(pid) ?? pid) : pid;
  for (;;) {
    const active = announced();
    if (active && pid) {
      return {
        child,
        pid,
        cdpPort: reachable(active.port),
        browserWsUrl: browserWsUrl(active),
        exited,
        log: () => log.toString(),
        stop: async (timeoutMs) => {
          const deadline = Date.now() + timeoutMs;
          // most of the budget for a clean quit; the rest for SIGTERM if DevTools is stuck
          if (!(await closeOverCdp(browserWsUrl(active), child, Math.round(timeoutMs * 0.7)))) {
            try {
              process.kill(browserPid() ?? pid, 'SIGTERM');
            } catch {
              // already gone
            }
          }
          if (!(await waitForExit(child, Math.max(0, deadline - Date.now())))) await kill();
          else signalGroup(pid, 'SIGKILL');
        },
        kill,
      };
    }
    const early = await Promise.race([
      exited.then((e) => `exited (code ${e.code}, signal ${e.signal})`),
      spawnError.then((e) => `could not start: ${(e as NodeJS.ErrnoException).code ?? e.message}`),
      new Promise<undefined>((r) => {
        const tick = setTimeout(r, 50, undefined);
        output = () => {
          clearTimeout(tick);
          r(undefined);
        };
      }),
    ]);
    output = undefined;
    const text = log.toString();
    if (early) {
      await kill();
      throw new RuntimeError('chromium_failed', `Chromium ${early}: ${text.slice(-400)}`);
    }
    if (/Cannot start http server for devtools/i.test(text)) {
      await kill();
      throw new RuntimeError('cdp_unavailable', `DevTools port ${options.cdpPort} unavailable`);
    }
    if (Date.now() > deadline) {
      await kill();
      throw new RuntimeError('chromium_failed', `Chromium DevTools not ready: ${text.slice(-400)}`);
    }
  }
}
