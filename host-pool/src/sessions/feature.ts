import type { DisplayFrameSource } from '../capture/index.ts';
import type { SessionOptions } from '../control/edge-client.ts';
import type { Logger } from '../log.ts';
import type { SessionHub } from '../relay/session-hub.ts';
import type { SessionRuntime } from '../runtime/index.ts';
import type { SessionSandbox } from '../sandbox/index.ts';

/** What a feature needs from the browser process before it starts. */
export interface FeatureSetup {
  /** Extra environment for Chromium (e.g. `PULSE_SERVER`). */
  readonly chromiumEnv?: Readonly<Record<string, string>>;
  /** Extra Chromium flags. */
  readonly chromiumArgs?: readonly string[];
  /** Host paths a sandboxed browser must be able to read (e.g. the audio socket's directory). */
  readonly browserReadablePaths?: readonly string[];
  /** Device nodes a sandboxed browser must be able to open (e.g. a leased camera). */
  readonly browserDevices?: readonly string[];
}

export interface PreparedFeature {
  readonly setup: FeatureSetup;
  /** Undoes `prepare` (after the browser stopped). */
  cleanup(): Promise<void>;
}

/** Everything a running feature may use. */
export interface FeatureContext {
  readonly sessionId: string;
  readonly options: SessionOptions;
  readonly runtime: SessionRuntime;
  readonly hub: SessionHub;
  readonly source: DisplayFrameSource;
  readonly log: Logger;
  /** Records a session event for the edge (sent with the next heartbeat). */
  record(type: string, data?: Record<string, unknown>): void;
}

/**
 * One capability of a live session beyond the picture and input (resize, clipboard, files, audio,
 * microphone, camera, video). The session factory asks each feature what it can serve on this host,
 * lets it prepare the browser's environment, then attaches it to the running session; features
 * register their message handlers on the hub and never edit each other.
 */
export interface SessionFeature {
  readonly name: string;
  /** Protocol capabilities this feature serves on this host (0 when the host lacks what it needs). */
  capabilities(): Promise<number>;
  /**
   * Before the browser starts (per session). `sandbox` is the session's sandbox (absent with
   * HOST_SANDBOX=off): helpers the feature starts for the browser run inside it.
   */
  prepare?(
    sessionDir: string,
    log: Logger,
    options: SessionOptions,
    sandbox: SessionSandbox | undefined,
  ): Promise<PreparedFeature>;
  /** After the hub exists; returns the function that stops the feature. */
  attach(ctx: FeatureContext): Promise<() => Promise<void>>;
}
