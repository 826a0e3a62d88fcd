import { join } from 'node:path';
import { CAP } from '@browserpane/protocol';
import { CursorTracker, DisplayFrameSource, type XConnection } from '../capture/index.ts';
import type { SessionOptions } from '../control/edge-client.ts';
import { CdpTextInserter, InputInjector } from '../input/index.ts';
import type { Logger } from '../log.ts';
import { SessionHub } from '../relay/session-hub.ts';
import { type RuntimeState, SessionRuntime, type SlotLimiter } from '../runtime/index.ts';
import { sessionPaths } from '../runtime/profile.ts';
import type { HostSandbox, SessionSandbox } from '../sandbox/index.ts';
import type { FeatureSetup, PreparedFeature, SessionFeature } from './feature.ts';
import type { LiveSession, LiveSessionFactory, LiveState, SessionEvent } from './live-session.ts';
import { sessionCapabilityMask } from './session-capabilities.ts';

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

/** Builds a live session: Xvfb + Chromium, DAMAGE/SHM capture, cursor, XTEST input, and a hub. */
export class DisplaySessionFactory implements LiveSessionFactory {
  constructor(private readonly options: DisplaySessionFactoryOptions) {}

  async create(
    sessionId: string,
    options: SessionOptions,
    onChange: () => void,
  ): Promise<LiveSession> {
    if (!SESSION_ID.test(sessionId)) throw new Error('invalid session id');
    const log = this.options.log.child({ sessionId });
    const runtime = new SessionRuntime();
    const events: SessionEvent[] = [];
    const record = (type: string, data?: Record<string, unknown>) => {
      events.push({ type, at: new Date().toISOString(), ...(data ? { data } : {}) });
      onChange();
    };
    const sessionDir = join(this.options.dataDir, 'sessions', sessionId);
    const features = this.options.features ?? [];
    const closers: Array<() => Promise<unknown>> = [];
    const prepared: PreparedFeature[] = [];
    let sandbox: SessionSandbox | undefined;
    try {
      let capabilities = BASE_CAPABILITIES;
      for (const f of features) capabilities |= await f.capabilities();
      capabilities &= sessionCapabilityMask(options);
      if (this.options.sandbox) {
        const paths = sessionPaths(sessionDir);
        sandbox = await this.options.sandbox.create(sessionDir, paths);
        log.info('session sandbox ready', {
          uid: sandbox.identity.uid,
          ownUser: sandbox.identity.own,
          cdpPort: sandbox.cdpHostPort,
        });
      } else log.warn('session runs without a sandbox (HOST_SANDBOX=off)');
      for (const f of features)
        if (f.prepare) prepared.push(await f.prepare(sessionDir, log, options, sandbox));
      const setup = mergeSetups(prepared.map((p) => p.setup));
      await runtime.start({
        sessionId,
        sessionDir,
        width: clampEven(options.viewport.width, 320, 3840),
        height: clampEven(options.viewport.height, 200, 2160),
        chromiumPath: this.options.chromiumPath,
        slots: this.options.slots,
        extraChromiumArgs: setup.chromiumArgs,
        chromiumEnv: setup.chromiumEnv,
        sandbox,
        browserReadablePaths: setup.browserReadablePaths,
        browserDevices: setup.browserDevices,
      });
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
      const afterStop = async () => {
        for (const p of prepared.reverse()) await p.cleanup().catch(() => undefined);
        // last: the session's user id is handed out again only when nothing runs as it
        await sandbox?.close();
      };
      return new DisplaySession(sessionId, runtime, hub, events, closers, afterStop);
    } catch (err) {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      await runtime.kill().catch(() => undefined);
      for (const p of prepared.reverse()) await p.cleanup().catch(() => undefined);
      await sandbox?.close();
      throw err;
    }
  }
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
  } {
    return {
      chromiumPid: this.runtime.chromiumPid,
      xvfbPid: this.runtime.xvfbPid,
      profileDir: this.runtime.paths.profile,
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

function mergeSetups(setups: readonly FeatureSetup[]): {
  chromiumArgs: string[];
  chromiumEnv: Record<string, string>;
  browserReadablePaths: string[];
  browserDevices: string[];
} {
  const chromiumArgs: string[] = [];
  const chromiumEnv: Record<string, string> = {};
  const browserReadablePaths: string[] = [];
  const browserDevices: string[] = [];
  for (const s of setups) {
    chromiumArgs.push(...(s.chromiumArgs ?? []));
    Object.assign(chromiumEnv, s.chromiumEnv ?? {});
    browserReadablePaths.push(...(s.browserReadablePaths ?? []));
    browserDevices.push(...(s.browserDevices ?? []));
  }
  return { chromiumArgs, chromiumEnv, browserReadablePaths, browserDevices };
}

function toLiveState(state: RuntimeState): LiveState {
  if (state === 'running' || state === 'restarting' || state === 'failed' || state === 'stopped')
    return state;
  if (state === 'stopping') return 'stopped';
  return 'starting';
}

function clampEven(v: number, min: number, max: number): number {
  const n = Math.max(min, Math.min(max, Math.round(v)));
  return n - (n % 2);
}
