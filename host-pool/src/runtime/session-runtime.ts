import { copyFile } from 'node:fs/promises';
import { XConnection, type XConnectionOptions } from '../capture/x11/connection.ts';
import { setScreenSize } from '../capture/x11/screen-size.ts';
import { CdpClient } from '../cdp/cdp-client.ts';
import { activateVisiblePage, fitWindowsToDisplay } from '../cdp/window-bounds.ts';
import { SessionSandbox } from '../sandbox/session-sandbox.ts';
import { type ChromiumProcess, launchChromium } from './chromium.ts';
import { RuntimeError } from './errors.ts';
import {
  applyProfilePreferences,
  browserWritableDirs,
  clearProfileLocks,
  hasLastSession,
  prepareSessionPaths,
  type SessionPaths,
} from './profile.ts';
import { RestartTracker } from './restart-policy.ts';
import type { RuntimeState, SessionRuntimeEvents, SessionStartOptions } from './session-options.ts';
import type { RuntimeSlot } from './slot-limiter.ts';
import { stepTimer } from './step-timer.ts';
import { TypedEmitter } from './typed-emitter.ts';
import { newXAuthCookie, type XAuthCookie } from './xauth.ts';
import { startXvfb, type XvfbServer } from './xvfb.ts';

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * One session's Xvfb display and Chromium, supervised: a browser that dies is restarted on the
 * same profile with backoff (state `restarting`, `restartCount`, `restarted` event) until the
 * restart policy gives up.
 */
export class SessionRuntime extends TypedEmitter<SessionRuntimeEvents> {
  #state: RuntimeState = 'idle';
  #options: SessionStartOptions | undefined;
  #paths: SessionPaths | undefined;
  #cookie: XAuthCookie | undefined;
  #xvfb: XvfbServer | undefined;
  #control: XConnection | undefined;
  #chromium: ChromiumProcess | undefined;
  #slot: RuntimeSlot | undefined;
  #restarts = new RestartTracker({});
  #restartCount = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #size = { width: 0, height: 0 };
  #windowsSettled: Promise<void> = Promise.resolve();
  /** How long each step of the last start took (ms): dirs, xvfb, screen, chromium. */
  readonly startSteps: Record<string, number> = {};
  #op: Promise<void> = Promise.resolve();
  #generation = 0;

  /** Where the runtime is in its lifecycle (`state` events report changes). */
  get state(): RuntimeState {
    return this.#state;
  }

  /** X display name (`:101`); throws `invalid_state` before start. */
  get display(): string {
    return this.#requireXvfb().display;
  }

  /** Loopback DevTools port of the current browser process. */
  get cdpPort(): number {
    return this.#requireChromium().cdpPort;
  }

  /** Pid of the current browser process (also its process group). */
  get chromiumPid(): number | undefined {
    return this.#chromium?.pid;
  }

  /** Pid of the session's Xvfb. */
  get xvfbPid(): number | undefined {
    return this.#xvfb?.pid;
  }

  /** Browser restarts after crashes since the last start. */
  get restartCount(): number {
    return this.#restartCount;
  }

  /** Current display size. */
  get size(): { width: number; height: number } {
    return { ...this.#size };
  }

  /** Profile, downloads, uploads and home directories of the session. */
  get paths(): SessionPaths {
    if (!this.#paths) throw new RuntimeError('invalid_state', 'runtime not started');
    return this.#paths;
  }

  /** The display's X cookie, for `XConnection.open(display, { auth })`. */
  get xAuthCookie(): XAuthCookie {
    if (!this.#cookie) throw new RuntimeError('invalid_state', 'runtime not started');
    return this.#cookie;
  }

  /** Environment for tools that talk to this display (`DISPLAY`, `XAUTHORITY`). */
  displayEnv(): { DISPLAY: string; XAUTHORITY: string } {
    return { DISPLAY: this.display, XAUTHORITY: this.paths.xauthority };
  }

  /** `ws://127.0.0.1:<port>/devtools/browser/<id>` of the current browser process. */
  cdpWebSocketUrl(): string {
    return this.#requireChromium().browserWsUrl;
  }

  /** Opens a new X connection to this session's display. */
  connectX(options: XConnectionOptions = {}): Promise<XConnection> {
    return XConnection.open(this.display, { ...options, auth: this.xAuthCookie });
  }

  /**
   * Copies a file the browser wrote outside the session directories (a download an automation
   * client pointed elsewhere) to `to`, reading it as the browser sees it: inside its sandbox as
   * the session's user, or plainly for an unsandboxed browser.
   */
  async collectDownload(from: string, to: string): Promise<void> {
    const sandbox = this.#options?.sandbox;
    if (!sandbox) return copyFile(from, to);
    const pid = this.#chromium?.pid ? SessionSandbox.mainPid(this.#chromium.pid) : undefined;
    if (!pid) throw new RuntimeError('invalid_state', 'Chromium is not running');
    await sandbox.copyInView(pid, from, to);
  }

  /** The browser's recent stdout/stderr (diagnostics; never contains our secrets). */
  chromiumLog(): string {
    return this.#chromium?.log() ?? '';
  }

  /** Starts Xvfb and Chromium. Allowed from `idle`, `stopped` and `failed`. */
  start(options: SessionStartOptions): Promise<void> {
    return this.#enqueue(() => this.#start(options));
  }

  /**
   * Graceful stop: Chromium is asked to quit (CDP `Browser.close`, then SIGTERM) so it writes its
   * cookies, storage and open tabs to the profile, then SIGKILL; then Xvfb. The next start on the
   * same profile reopens those tabs.
   */
  stop(): Promise<void> {
    return this.#enqueue(() => this.#teardown(false));
  }

  /** Immediate stop: SIGKILL to Chromium's process group and Xvfb. */
  kill(): Promise<void> {
    this.#generation++;
    this.#clearRestartTimer();
    if (this.#state !== 'stopped' && this.#state !== 'idle' && this.#state !== 'failed')
      this.#setState('stopping');
    void this.#chromium?.kill();
    if (this.#xvfb?.pid) {
      try {
        process.kill(this.#xvfb.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    return this.#enqueue(() => this.#teardown(true));
  }

  /**
   * Resizes the display with RANDR (up to the framebuffer size set at start) and makes the browser
   * window fill it. Resolves with the applied size.
   */
  setDisplaySize(width: number, height: number): Promise<{ width: number; height: number }> {
    const result = this.#op.then(async () => {
      if (!Number.isFinite(width) || !Number.isFinite(height))
        throw new RuntimeError('invalid_options', 'display size must be finite numbers');
      if (this.#state !== 'running' && this.#state !== 'restarting')
        throw new RuntimeError('invalid_state', `cannot resize in state ${this.#state}`);
      const control = this.#control;
      if (!control) throw new RuntimeError('invalid_state', 'no X connection');
      let applied: { width: number; height: number };
      try {
        applied = await setScreenSize(control, width, height);
      } catch (err) {
        throw new RuntimeError('resize_failed', `cannot resize to ${width}x${height}`, {
          cause: err,
        });
      }
      this.#size = applied;
      // the start's own fit (to the old size) finishes first, so it never undoes this one
      await this.#windowsSettled;
      if (this.#chromium && this.#state === 'running')
        await this.#fitWindows(this.#chromium, applied).catch(() => undefined);
      this.emit('resized', { ...applied });
      return applied;
    });
    this.#op = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#op.then(task);
    this.#op = run.catch(() => undefined);
    return run;
  }

  #setState(next: RuntimeState): void {
    const prev = this.#state;
    if (prev === next) return;
    this.#state = next;
    this.emit('state', next, prev);
  }

  #requireXvfb(): XvfbServer {
    if (!this.#xvfb) throw new RuntimeError('invalid_state', 'runtime has no display');
    return this.#xvfb;
  }

  #requireChromium(): ChromiumProcess {
    if (!this.#chromium) throw new RuntimeError('invalid_state', 'Chromium is not running');
    return this.#chromium;
  }

  async #start(options: SessionStartOptions): Promise<void> {
    if (this.#state !== 'idle' && this.#state !== 'stopped' && this.#state !== 'failed')
      throw new RuntimeError('invalid_state', `cannot start in state ${this.#state}`);
    validate(options);
    const generation = ++this.#generation;
    this.#options = options;
    this.#restarts = new RestartTracker(options.restart ?? {});
    this.#restartCount = 0;
    this.#setState('starting');
    const step = stepTimer(this.startSteps);
    try {
      this.#slot = options.slots?.acquire(options.sessionId);
      const paths = prepareSessionPaths(options.sessionDir);
      this.#paths = paths;
      await options.sandbox?.adoptDirs(browserWritableDirs(paths));
      step('dirs');
      this.#cookie = newXAuthCookie();
      const xvfb = await startXvfb({
        xvfbPath: options.xvfbPath,
        framebufferWidth: Math.max(options.maxWidth ?? 3840, options.width),
        framebufferHeight: Math.max(options.maxHeight ?? 2160, options.height),
        authFile: paths.xauthority,
        cookie: this.#cookie,
        displayBase: options.displayBase,
        sandbox: options.sandbox,
      });
      this.#xvfb = xvfb;
      step('xvfb');
      void xvfb.exited.then(() => this.#onXvfbExit(xvfb));
      this.#control = await XConnection.open(xvfb.display, { auth: this.#cookie, shm: false });
      this.#size = await setScreenSize(this.#control, options.width, options.height);
      step('screen');
      this.#checkGeneration(generation);
      // a profile that ran before reopens the tabs it had when it was last closed
      const chromium = await this.#launch(0, hasLastSession(paths));
      step('chromium');
      if (generation !== this.#generation) await chromium.kill();
      this.#checkGeneration(generation);
      this.#chromium = chromium;
      this.#watch(chromium);
      this.#setState('running');
    } catch (err) {
      const error =
        err instanceof RuntimeError
          ? err
          : new RuntimeError('chromium_failed', 'session start failed', { cause: err });
      if (generation !== this.#generation) throw error; // killed while starting: kill() tears down
      await this.#teardown(true, 'failed');
      this.emit('failed', error);
      throw error;
    }
  }

  #checkGeneration(generation: number): void {
    if (generation !== this.#generation)
      throw new RuntimeError('invalid_state', 'the runtime was killed while starting');
  }

  async #launch(preferredPort: number, restore: boolean): Promise<ChromiumProcess> {
    const options = this.#options as SessionStartOptions;
    const paths = this.#paths as SessionPaths;
    clearProfileLocks(paths);
    if (!options.sandbox) applyProfilePreferences(paths);
    const launch = (cdpPort: number) =>
      launchChromium({
        executable: options.chromiumPath,
        display: this.display,
        paths,
        width: this.#size.width,
        height: this.#size.height,
        cdpPort,
        startUrl: options.startUrl,
        restoreLastSession: restore,
        extraArgs: options.extraChromiumArgs,
        env: options.chromiumEnv,
        sandbox: options.sandbox,
        displayNumber: this.#requireXvfb().displayNumber,
        readablePaths: options.browserReadablePaths,
        devices: options.browserDevices,
      });
    let chromium: ChromiumProcess;
    try {
      chromium = await launch(preferredPort);
    } catch (err) {
      if (!(err instanceof RuntimeError && err.code === 'cdp_unavailable') || preferredPort === 0)
        throw err;
      clearProfileLocks(paths);
      chromium = await launch(0);
    }
    // Sizing and activating the window over CDP takes a starting browser 250–400 ms. A fresh
    // profile's window already has its size from the flags, so that runs beside the session's
    // attach (input waits for it: windowsSettled); a restored one may reopen windows anywhere.
    const settled = this.#fitWindows(chromium, this.#size, true).catch(() => undefined);
    this.#windowsSettled = settled;
    if (restore) await settled;
    return chromium;
  }

  /** Resolves once the browser's windows fill the display and the visible one is active. */
  get windowsSettled(): Promise<void> {
    return this.#windowsSettled;
  }

  async #fitWindows(
    chromium: ChromiumProcess,
    size: { width: number; height: number },
    activate = false,
  ): Promise<void> {
    const client = await CdpClient.connect(chromium.browserWsUrl);
    try {
      await fitWindowsToDisplay(client, size.width, size.height);
      if (activate) await activateVisiblePage(client);
    } finally {
      await client.close();
    }
  }

  #watch(chromium: ChromiumProcess): void {
    void chromium.exited.then(({ code, signal }) => {
      if (this.#chromium !== chromium) return;
      const expected = this.#state === 'stopping' || this.#state === 'stopped';
      this.emit('chromiumExited', { code, signal, expected, restartCount: this.#restartCount });
      if (expected || this.#state !== 'running') return;
      this.#scheduleRestart();
    });
  }

  #scheduleRestart(): void {
    const delay = this.#restarts.next(Date.now());
    if (delay === undefined) {
      void this.#fail(new RuntimeError('restart_limit', 'Chromium keeps crashing; giving up'));
      return;
    }
    this.#setState('restarting');
    const generation = this.#generation;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      void this.#enqueue(() => this.#restart(generation));
    }, delay);
  }

  async #restart(generation: number): Promise<void> {
    if (generation !== this.#generation || this.#state !== 'restarting') return;
    const previous = this.#chromium;
    await previous?.kill();
    let chromium: ChromiumProcess;
    try {
      chromium = await this.#launch(previous?.cdpPort ?? 0, true);
    } catch {
      if (generation !== this.#generation || this.#state !== 'restarting') return;
      this.#setState('running');
      this.#scheduleRestart();
      return;
    }
    if (generation !== this.#generation || this.#state !== 'restarting') {
      await chromium.kill();
      return;
    }
    this.#chromium = chromium;
    this.#restartCount++;
    this.#watch(chromium);
    this.#setState('running');
    this.emit('restarted', {
      restartCount: this.#restartCount,
      pid: chromium.pid,
      cdpPort: chromium.cdpPort,
      cdpWebSocketUrl: chromium.browserWsUrl,
    });
  }

  #onXvfbExit(xvfb: XvfbServer): void {
    if (this.#xvfb !== xvfb) return;
    if (this.#state === 'stopping' || this.#state === 'stopped' || this.#state === 'failed') return;
    void this.#fail(new RuntimeError('xvfb_failed', `Xvfb ${xvfb.display} exited`));
  }

  async #fail(error: RuntimeError): Promise<void> {
    this.#generation++;
    await this.#enqueue(() => this.#teardown(true, 'failed'));
    this.emit('failed', error);
  }

  #clearRestartTimer(): void {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
  }

  async #teardown(hard: boolean, finalState: RuntimeState = 'stopped'): Promise<void> {
    this.#clearRestartTimer();
    if (this.#state === 'idle' && !this.#xvfb && !this.#chromium) return;
    if (this.#state !== 'stopped' || this.#xvfb || this.#chromium) this.#setState('stopping');
    const timeout = this.#options?.stopTimeoutMs ?? 5000;
    const chromium = this.#chromium;
    if (chromium) await (hard ? chromium.kill() : chromium.stop(timeout));
    this.#chromium = undefined;
    await this.#control?.close();
    this.#control = undefined;
    const xvfb = this.#xvfb;
    if (xvfb) await xvfb.stop(hard ? 0 : timeout);
    this.#xvfb = undefined;
    this.#slot?.release();
    this.#slot = undefined;
    this.#setState(finalState);
  }
}

function validate(options: SessionStartOptions): void {
  if (!SESSION_ID.test(options.sessionId))
    throw new RuntimeError('invalid_options', 'sessionId must match [A-Za-z0-9_-]{1,64}');
  if (!options.sessionDir) throw new RuntimeError('invalid_options', 'sessionDir is required');
  for (const [name, v] of [
    ['width', options.width],
    ['height', options.height],
  ] as const) {
    if (!Number.isInteger(v) || v < 64 || v > 8192)
      throw new RuntimeError('invalid_options', `${name} must be an integer in 64…8192`);
  }
}
