import { lstat, readlink, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CAP } from '@browserpane/protocol';
import { CursorTracker, DisplayFrameSource, type XConnection } from '../capture/index.ts';
import type { SessionOptions } from '../control/edge-client.ts';
import { CdpTextInserter, InputInjector } from '../input/index.ts';
import type { Logger } from '../log.ts';
import { SessionHub } from '../relay/session-hub.ts';
import type { RuntimeState, SessionRuntime, SlotLimiter } from '../runtime/index.ts';
import type { HostSandbox } from '../sandbox/index.ts';
import type { SessionFeature } from './feature.ts';
import type { LiveSession, LiveSessionFactory, LiveState, SessionEvent } from './live-session.ts';
import { sessionCapabilityMask } from './session-capabilities.ts';
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
      (name) =>
        startRuntime(
          this.starter,
          name,
          join(sessionsDir(this.options.dataDir), name),
          options,
          log.child({ runtime: name }),
        ),
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
    // a session that has a profile here (a restart) or needs something set up before its
    // browser starts (a camera, no audio, a stored profile) starts cold
    const warm = existing === undefined && warmCompatible(options) ? this.pool?.take() : undefined;
    let started: StartedRuntime;
    if (warm) {
      await symlink(basename(warm.sessionDir), home).catch(async (err: unknown) => {
        await discardRuntime(warm).catch(() => undefined);
        throw err;
      });
      log.info('session takes a warm runtime', { runtime: basename(warm.sessionDir) });
      started = warm;
    } else started = await startRuntime(this.starter, sessionId, existing ?? home, options, log);
    return this.attach(sessionId, options, onChange, started, log).catch(async (err: unknown) => {
      await discardRuntime(started).catch(() => undefined);
      throw err;
    });
  }

  private async attach(
    sessionId: string,
    options: SessionOptions,
    onChange: () => void,
    started: StartedRuntime,
    log: Logger,
  ): Promise<LiveSession> {
    const { runtime } = started;
    const events: SessionEvent[] = [];
    const record = (type: string, data?: Record<string, unknown>) => {
      events.push({ type, at: new Date().toISOString(), ...(data ? { data } : {}) });
      onChange();
    };
    const features = this.options.features ?? [];
    const closers: Array<() => Promise<unknown>> = [];
    try {
      let capabilities = BASE_CAPABILITIES;
      for (const f of features) capabilities |= await f.capabilities();
      capabilities &= sessionCapabilityMask(options);
      const width = clampEven(options.viewport.width, 320, 3840);
      const height = clampEven(options.viewport.height, 200, 2160);
      const size = runtime.size;
      if (size.width !== width || size.height !== height)
        await runtime.setDisplaySize(width, height);
      const auth = runtime.xAuthCookie;
      const source = await DisplayFrameSource.open({
        display: runtime.display,
        auth,
        tileSize: this.options.tileSize,
      });
      closers.push(() => source.close());
      const cursorConn: XConnection = await runtime.connectX();
      closers.push(() => cursorConn.close());
      const cursor = await CursorTracker.start(cursorConn);
      const inserter = new CdpTextInserter(() => runtime.cdpWebSocketUrl());
      closers.push(() => inserter.close());
      const input = await InputInjector.open({
        display: runtime.display,
        auth,
        insertText: (text) => inserter.insertText(text),
      });
      closers.push(() => input.close());
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
      for (const f of features) {
        const stop = await f.attach({
          sessionId,
          options,
          runtime,
          hub,
          source,
          log: log.child({ feature: f.name }),
          record,
        });
        closers.push(stop);
      }
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
      return new DisplaySession(
        sessionId,
        runtime,
        hub,
        events,
        closers,
        started.afterStop,
        started.sandbox?.identity.uid,
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
 * microphone possible, no camera). A session restoring a stored profile must start cold too (its
 * profile has to be in place before the browser starts): add that condition here when sessions
 * carry one.
 */
export function warmCompatible(options: SessionOptions): boolean {
  const { audio, microphone, camera } = options.capabilities;
  return !(audio === false && microphone === false) && camera !== true;
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
  ) {}

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
    for (const close of this.closers.splice(0).reverse()) await close().catch(() => undefined);
  }
}

function toLiveState(state: RuntimeState): LiveState {
  if (state === 'running' || state === 'restarting' || state === 'failed' || state === 'stopped')
    return state;
  if (state === 'stopping') return 'stopped';
  return 'starting';
}
