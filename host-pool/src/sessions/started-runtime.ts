import { join } from 'node:path';
import type { SessionOptions } from '../control/edge-client.ts';
import type { Logger } from '../log.ts';
import { SessionRuntime, type SlotLimiter } from '../runtime/index.ts';
import { sessionPaths } from '../runtime/profile.ts';
import { stepTimer } from '../runtime/step-timer.ts';
import type { HostSandbox, SessionSandbox } from '../sandbox/index.ts';
import { closeDisplayIo, type DisplayIo } from './display-io.ts';
import type { FeatureSetup, PreparedFeature, SessionFeature } from './feature.ts';

/** A session's browser and display, started (sandbox, feature environments, Xvfb, Chromium). */
export interface StartedRuntime {
  /** The directory the runtime lives in (`sessions/<id>`, or `sessions/warm-…` for a warm one). */
  readonly sessionDir: string;
  readonly runtime: SessionRuntime;
  readonly sandbox: SessionSandbox | undefined;
  /** Capture, cursor and input, connected ahead (a warm runtime); the session opens them otherwise. */
  io?: DisplayIo;
  /** Tears down the feature environments and the sandbox (after the browser stopped). */
  afterStop(): Promise<void>;
}

export interface RuntimeStarterOptions {
  readonly chromiumPath: string;
  readonly slots: SlotLimiter;
  readonly features: readonly SessionFeature[];
  readonly sandbox: HostSandbox | undefined;
}

/**
 * Starts what a session runs in: its sandbox (a user id of its own), the features' environments
 * (the audio server …), Xvfb and Chromium. `name` keys the runtime (its slot, its X display).
 */
export async function startRuntime(
  o: RuntimeStarterOptions,
  name: string,
  sessionDir: string,
  options: SessionOptions,
  log: Logger,
  /** What the session itself adds (its extensions), beside the features' setups. */
  extra: FeatureSetup = {},
): Promise<StartedRuntime> {
  const runtime = new SessionRuntime();
  const prepared: PreparedFeature[] = [];
  let sandbox: SessionSandbox | undefined;
  const afterStop = async () => {
    for (const p of prepared.reverse()) await p.cleanup().catch(() => undefined);
    // last: the session's user id is handed out again only when nothing runs as it
    await sandbox?.close();
  };
  // how long each step of a cold start took (logged: where a cold start spends its time)
  const steps: Record<string, number> = {};
  const step = stepTimer(steps);
  try {
    if (o.sandbox) {
      sandbox = await o.sandbox.create(sessionDir, sessionPaths(sessionDir));
      step('sandbox');
      log.info('session sandbox ready', {
        uid: sandbox.identity.uid,
        ownUser: sandbox.identity.own,
        cdpPort: sandbox.cdpHostPort,
      });
    } else log.warn('session runs without a sandbox (HOST_SANDBOX=off)');
    for (const f of o.features)
      if (f.prepare) {
        prepared.push(await f.prepare(sessionDir, log, options, sandbox));
        step(`prepare_${f.name}`);
      }
    const setup = mergeSetups([...prepared.map((p) => p.setup), extra]);
    await runtime.start({
      sessionId: name,
      sessionDir,
      width: clampEven(options.viewport.width, 320, 3840),
      height: clampEven(options.viewport.height, 200, 2160),
      chromiumPath: o.chromiumPath,
      slots: o.slots,
      extraChromiumArgs: setup.chromiumArgs,
      chromiumEnv: setup.chromiumEnv,
      sandbox,
      browserReadablePaths: setup.browserReadablePaths,
      browserDevices: setup.browserDevices,
    });
    step('runtime');
    log.info('runtime started', { steps: { ...steps, ...runtime.startSteps } });
    return { sessionDir, runtime, sandbox, afterStop };
  } catch (err) {
    await runtime.kill().catch(() => undefined);
    await afterStop();
    throw err;
  }
}

/** Stops a started runtime that no session took (a warm one at shutdown, a failed attach). */
export async function discardRuntime(started: StartedRuntime): Promise<void> {
  try {
    if (started.io) await closeDisplayIo(started.io.closers);
    await started.runtime.kill();
  } finally {
    await started.afterStop();
  }
}

export function sessionsDir(dataDir: string): string {
  return join(dataDir, 'sessions');
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

export function clampEven(v: number, min: number, max: number): number {
  const n = Math.max(min, Math.min(max, Math.round(v)));
  return n - (n % 2);
}
