import { lstat, mkdir, readlink, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CAP } from '@browserpane/protocol';
import { type PageSummary, PageTitle } from '../cdp/page-title.ts';
import type { SessionOptions } from '../control/edge-client.ts';
import type { ExtensionSource } from '../extensions/extension-source.ts';
import { unpackExtensions } from '../extensions/unpack.ts';
import type { Logger } from '../log.ts';
import { SessionHub } from '../relay/session-hub.ts';
import type { RuntimeState, SessionRuntime, SlotLimiter } from '../runtime/index.ts';
import { stepTimer } from '../runtime/step-timer.ts';
import type { HostSandbox } from '../sandbox/index.ts';
import { openDisplayIo } from './display-io.ts';
import type { FeatureSetup, SessionFeature } from './feature.ts';
import type { LiveSession, LiveSessionFactory, LiveState, SessionEvent } from './live-session.ts';
import { sessionCapabilityMask } from './session-capabilities.ts';
import {
  hasStoredProfile,
  profileSaver,
  restoreProfile,
  type SessionProfiles,
} from './session-profile.ts';
import {
  clampEven,
  discardRuntime,
  type RuntimeStarterOptions,
  type StartedRuntime,
  sessionsDir,
  startRuntime,
} from './started-runtime.ts';
import { WarmPool } from './warm-pool.ts';

/** What every session serves: the picture and input. Features add the rest. */
export const BASE_CAPABILITIES = CAP.input | CAP.tileCache | CAP.copyRect | CAP.cursor;

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface DisplaySessionFactoryOptions {
  readonly dataDir: string;
  readonly chromiumPath: string;
  readonly tileSize: number;
  readonly slots: SlotLimiter;
  readonly log: Logger;
  /** Capabilities beyond the picture (see features.ts). */
  readonly features?: readonly SessionFeature[];
  /** Confines each session (its own user, filesystem view, network); absent: HOST_SANDBOX=off. */
  readonly sandbox?: HostSandbox;
  /**
   * Portable profiles: restored before the browser starts when the saved one is not on this disk,
   * saved every `saveIntervalMs` while running (0: never) and when the session stops.
   */
  readonly profiles?: SessionProfiles;
  /** Where the archives of a session's approved extensions come from (the edge). */
  readonly extensions?: ExtensionSource;
}

/**
 * Builds a live session: Xvfb + Chromium (started now, or taken from the warm pool), DAMAGE/SHM
 * capture, cursor, XTEST input, and a hub.
 */
export class DisplaySessionFactory implements LiveSessionFactory {
  private pool: WarmPool | undefined;

  constructor(private readonly options: DisplaySessionFactoryOptions) {}

  private get starter(): RuntimeStarterOptions {
    return {
      chromiumPath: this.options.chromiumPath,
      slots: this.options.slots,
      features: this.options.features ?? [],
      sandbox: this.options.sandbox,
    };
  }

  /** Keeps `count` runtimes started ahead for new sessions (HOST_WARM_RUNTIMES). */
  startWarmPool(count: number, viewport: { width: number; height: number }): WarmPool {
    const log = this.options.log.child({ module: 'warm-pool' });
    const options = warmOptions(viewport);
    this.pool = new WarmPool(
      count,
      async (name) => {
        const started = await startRuntime(
          this.starter,
          name,
          join(sessionsDir(this.options.dataDir), name),
          options,
          log.child({ runtime: name }),
        );
        // capture, cursor and input too: a session taking it only attaches its features
        try {
          started.io = await openDisplayIo(started.runtime, this.options.tileSize);
        } catch (err) {
          await discardRuntime(started).catch(() => undefined);
          throw err;
        }
        return started;
      },
      log,
    );
    this.pool.fill();
    return this.pool;
  }

  get warmPool(): WarmPool | undefined {
    return this.pool;
  }

  async create(
    sessionId: string,
    options: SessionOptions,
    onChange: () => void,
  ): Promise<LiveSession> {
    if (!SESSION_ID.test(sessionId) || sessionId.startsWith(WARM_PREFIX))
      throw new Error('invalid session id');
    const log = this.options.log.child({ sessionId });
    const home = join(sessionsDir(this.options.dataDir), sessionId);
    const existing = await sessionDirOf(home);
    const events: SessionEvent[] = [];
    const record = (type: string, data?: Record<string, unknown>) => {
      events.push({ type, at: new Date().toISOString(), ...(data ? { data } : {}) });
      onChange();
    };
    const profiles = this.options.profiles;
    // a session that has a profile here (a restart) or needs something set up before its
    // browser starts (a camera, no audio, a stored profile, extensions) starts cold
    const warm =
      existing === undefined &&
      this.pool?.size &&
      warmCompatible(
        options,
        // the edge says whether it holds a saved profile; an older edge does not: ask it
        profiles
          ? (options.profile_saved ?? (await hasStoredProfile(profiles, sessionId, log)))
          : false,
      )
        ? this.pool.take()
        : undefined;
    let started: StartedRuntime;
    if (warm) {
      await symlink(basename(warm.sessionDir), home).catch(async (err: unknown) => {
        await discardRuntime(warm).catch(() => undefined);
        throw err;
      });
      log.info('session takes a warm runtime', { runtime: basename(warm.sessionDir) });
      started = warm;
    } else {
      const sessionDir = existing ?? home;
      // nothing to restore when the edge says it holds no saved profile
      if (profiles && options.profile_saved !== false)
        await restoreProfile(profiles, sessionId, sessionDir, record, log);
      const extensions = await this.loadExtensions(sessionId, sessionDir, options, record, log);
      started = await startRuntime(this.starter, sessionId, sessionDir, options, log, extensions);
      log.info('session runtime started', { cold: true });
    }
    const attached = this.attach(sessionId, options, onChange, started, events, record, log);
    return attached.catch(async (err: unknown) => {
      await discardRuntime(started).catch(() => undefined);
      throw err;
    });
  }

  /** Unpacks the session's approved extensions (a failed one is recorded and left out). */
  private async loadExtensions(
    sessionId: string,
    sessionDir: string,
    options: SessionOptions,
    record: (type: string, data?: Record<string, unknown>) => void,
    log: Logger,
  ): Promise<FeatureSetup> {
    const wanted = options.extensions ?? [];
    if (wanted.length === 0 || !this.options.extensions) {
      if (wanted.length > 0)
        for (const e of wanted)
          record('extension_load_failed', {
            extension_id: e.extension_id,
            error: 'this host loads no extensions',
          });
      return {};
    }
    await mkdir(sessionDir, { recursive: true, mode: 0o700 });
    const got = await unpackExtensions(this.options.extensions, sessionId, sessionDir, wanted, log);
    for (const e of got.loaded)
      record('extension_loaded', {
        extension_id: e.id,
        name: e.name,
        version: e.version,
        files: e.files,
      });
    for (const e of got.failed)
      record('extension_load_failed', { extension_id: e.id, name: e.name, error: e.error });
    return got.setup;
  }

  private async attach(
    sessionId: string,
    options: SessionOptions,
    onChange: () => void,
    started: StartedRuntime,
    events: SessionEvent[],
    record: (type: string, data?: Record<string, unknown>) => void,
    log: Logger,
  ): Promise<LiveSession> {
    const { runtime } = started;
    const features = this.options.features ?? [];
    const closers: Array<() => Promise<unknown>> = [];
    const profiles = this.options.profiles;
    const saveProfile = profiles
      ? profileSaver(profiles, sessionId, started.sessionDir, record, log)
      : async () => undefined;
    // how long each step took (logged with "session running": where a start spends its time)
    const steps: Record<string, number> = {};
    const step = stepTimer(steps);
    try {
      let capabilities = BASE_CAPABILITIES;
      for (const c of await Promise.all(features.map((f) => f.capabilities()))) capabilities |= c;
      capabilities &= sessionCapabilityMask(options);
      const width = clampEven(options.viewport.width, 320, 3840);
      const height = clampEven(options.viewport.height, 200, 2160);
      const size = runtime.size;
      step('capabilities');
      if (size.width !== width || size.height !== height)
        await runtime.setDisplaySize(width, height);
      step('resize');
      // a warm runtime's display connections were opened ahead; they are the session's now
      const io = started.io ?? (await openDisplayIo(runtime, this.options.tileSize));
      started.io = undefined;
      closers.push(...io.closers);
      const { source, cursor, input } = io;
      // a browser that just started activates its window meanwhile; keys wait for that
      input.holdUntil(runtime.windowsSettled);
      step('display_io');
      const hub = new SessionHub({
        sessionId,
        mode: options.owner_mode === 'exclusive' ? 'exclusive' : 'collaborative',
        source,
        cursor,
        input,
        hostCapabilities: capabilities >>> 0,
        log,
        onChange,
      });
      // features touch only their own messages on the hub: they attach side by side (the
      // clipboard's X connection alone took 60–140 ms in series with the others)
      const attached = await Promise.allSettled(
        features.map(async (f) => {
          const began = performance.now();
          const stop = await f.attach({
            sessionId,
            options,
            runtime,
            hub,
            source,
            log: log.child({ feature: f.name }),
            record,
          });
          steps[f.name] = Math.round(performance.now() - began);
          return stop;
        }),
      );
      for (const r of attached) if (r.status === 'fulfilled') closers.push(r.value);
      const failed = attached.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      step('features');
      runtime.on('chromiumExited', (exit) => {
        if (!exit.expected)
          record('runtime_crashed', {
            code: exit.code,
            signal: exit.signal,
            restarts: exit.restartCount,
          });
      });
      runtime.on('restarted', (r) => {
        record('runtime_restarted', { restarts: r.restartCount });
        source.refresh();
      });
      runtime.on('failed', (err) => {
        record('runtime_failed', { error: err.message });
        hub.close('session_stopped');
      });
      runtime.on('state', () => onChange());
      if (profiles && profiles.saveIntervalMs > 0) {
        const timer = setInterval(() => {
          if (runtime.state === 'running') void saveProfile('periodic');
        }, profiles.saveIntervalMs);
        timer.unref();
        closers.push(async () => clearInterval(timer));
      }
      log.info('session attached', { steps });
      return new DisplaySession(
        sessionId,
        runtime,
        hub,
        events,
        closers,
        started.afterStop,
        started.sandbox?.identity.uid,
        () => saveProfile('stop'),
      );
    } catch (err) {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      throw err;
    }
  }
}

const WARM_PREFIX = 'warm-';

/**
 * Whether a session can take a warm runtime: one started for the default options (sound and
 * microphone possible, no camera) on a blank profile, without extensions. A session with a stored
 * profile or with extensions starts cold: both have to be in place before its browser starts.
 */
export function warmCompatible(options: SessionOptions, storedProfile: boolean): boolean {
  const { audio, microphone, camera } = options.capabilities;
  return (
    !storedProfile &&
    !(audio === false && microphone === false) &&
    camera !== true &&
    // a warm browser started without extensions; they load only at start
    (options.extensions ?? []).length === 0
  );
}

function warmOptions(viewport: { width: number; height: number }): SessionOptions {
  return {
    viewport,
    capabilities: {},
    owner_mode: 'collaborative',
    video_mode: 'roi',
    idle_timeout_sec: 0,
    labels: {},
  };
}

/**
 * Where a session's files are when it ran here before: its own directory, or the warm runtime's
 * it took (`sessions/<id>` is then a link the agent made to `sessions/warm-…`, next to it). Any
 * other link is refused.
 */
async function sessionDirOf(home: string): Promise<string | undefined> {
  const st = await lstat(home).catch(() => undefined);
  if (!st) return undefined;
  if (!st.isSymbolicLink()) return home;
  const target = await readlink(home);
  if (!/^warm-[0-9a-f-]{36}$/.test(target))
    throw new Error('the session directory is a link the agent did not make');
  return join(dirname(home), target);
}

class DisplaySession implements LiveSession {
  constructor(
    readonly sessionId: string,
    private readonly runtime: SessionRuntime,
    readonly hub: SessionHub,
    private readonly events: SessionEvent[],
    /** Features, capture and input: stopped before the browser. */
    private readonly closers: Array<() => Promise<unknown>>,
    /** Feature environments (audio servers …): torn down after the browser. */
    private readonly afterStop: () => Promise<void>,
    private readonly uid: number | undefined,
    /** Saves the profile once the browser stopped (a graceful stop; never after a kill). */
    private readonly saveProfile: () => Promise<void>,
  ) {}

  /** The tab a person sees (read from the browser when the agent asks, between heartbeats). */
  private readonly title = new PageTitle(() => this.runtime.cdpWebSocketUrl());

  page(): PageSummary | undefined {
    return this.title.current();
  }

  async refreshPage(): Promise<void> {
    if (this.runtime.state === 'running') await this.title.refresh();
  }

  state(): LiveState {
    return toLiveState(this.runtime.state);
  }

  restarts(): number {
    return this.runtime.restartCount;
  }

  display(): { width: number; height: number } {
    return this.runtime.size;
  }

  cdpPort(): number | undefined {
    return this.runtime.state === 'running' ? this.runtime.cdpPort : undefined;
  }

  xDisplay(): { display: string; auth: { name: string; data: string } } | undefined {
    return this.runtime.state === 'running'
      ? { display: this.runtime.display, auth: this.runtime.xAuthCookie }
      : undefined;
  }

  diagnostics(): {
    chromiumPid: number | undefined;
    xvfbPid: number | undefined;
    profileDir: string;
    uid: number | undefined;
  } {
    return {
      chromiumPid: this.runtime.chromiumPid,
      xvfbPid: this.runtime.xvfbPid,
      profileDir: this.runtime.paths.profile,
      uid: this.uid,
    };
  }

  async applyViewport(width: number, height: number): Promise<void> {
    const before = this.runtime.size;
    const size = await this.runtime.setDisplaySize(
      clampEven(width, 320, 3840),
      clampEven(height, 200, 2160),
    );
    if (size.width === before.width && size.height === before.height) return;
    for (const p of this.hub.list())
      p.peer.send({ type: 'resizeAck', ...size, status: 'changedByOther' });
    this.event('viewport_applied', { width: size.width, height: size.height });
  }

  event(type: string, data: Record<string, unknown>): void {
    this.events.push({ type, at: new Date().toISOString(), data });
  }

  drainEvents(): SessionEvent[] {
    return this.events.splice(0);
  }

  async stop(): Promise<void> {
    await this.release();
    try {
      await this.runtime.stop();
      await this.saveProfile();
    } finally {
      await this.afterStop();
    }
  }

  async kill(): Promise<void> {
    await this.release();
    try {
      await this.runtime.kill();
    } finally {
      await this.afterStop();
    }
  }

  private async release(): Promise<void> {
    await this.title.close();
    for (const close of this.closers.splice(0).reverse()) await close().catch(() => undefined);
  }
}

function toLiveState(state: RuntimeState): LiveState {
  if (state === 'running' || state === 'restarting' || state === 'failed' || state === 'stopped')
    return state;
  if (state === 'stopping') return 'stopped';
  return 'starting';
}
