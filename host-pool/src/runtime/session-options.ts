import type { SessionSandbox } from '../sandbox/session-sandbox.ts';
import type { RuntimeError } from './errors.ts';
import type { RestartPolicy } from './restart-policy.ts';
import type { SlotLimiter } from './slot-limiter.ts';

/** Lifecycle of a session runtime. */
export type RuntimeState =
  | 'idle'
  | 'starting'
  | 'running'
  | 'restarting'
  | 'stopping'
  | 'stopped'
  | 'failed';

/** What `SessionRuntime.start` needs. */
export interface SessionStartOptions {
  /** Session identifier (letters, digits, `-`, `_`; used in logs only). */
  readonly sessionId: string;
  /** This session's directory: profile, downloads, uploads live here and survive restarts. */
  readonly sessionDir: string;
  /** Initial display size in pixels. */
  readonly width: number;
  readonly height: number;
  /** Largest size `setDisplaySize` may reach; Xvfb's framebuffer (default 3840 × 2160). */
  readonly maxWidth?: number;
  readonly maxHeight?: number;
  readonly startUrl?: string;
  readonly chromiumPath?: string;
  readonly xvfbPath?: string;
  /** First X display number to probe (default 100). */
  readonly displayBase?: number;
  readonly extraChromiumArgs?: readonly string[];
  /** Extra environment for Chromium (e.g. `PULSE_SERVER`). */
  readonly chromiumEnv?: Readonly<Record<string, string>>;
  readonly restart?: Partial<RestartPolicy>;
  /** Graceful stop budget per process before SIGKILL (default 5 s). */
  readonly stopTimeoutMs?: number;
  /** When given, the runtime holds a slot from start to stop and fails with `no_capacity`. */
  readonly slots?: SlotLimiter;
  /**
   * Run Xvfb and Chromium inside this session sandbox (the caller creates and closes it). Without
   * one they run as the agent, Chromium with `--no-sandbox`: for tests and HOST_SANDBOX=off only.
   */
  readonly sandbox?: SessionSandbox;
  /** Paths a sandboxed browser may also read (the audio socket's directory). */
  readonly browserReadablePaths?: readonly string[];
  /** Device nodes a sandboxed browser may open (a leased camera). */
  readonly browserDevices?: readonly string[];
}

/** Facts about an exit of the browser process. */
export interface ChromiumExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the runtime asked for it (stop, kill). */
  readonly expected: boolean;
  readonly restartCount: number;
}

/** Facts about a completed restart after a crash. */
export interface ChromiumRestart {
  readonly restartCount: number;
  readonly pid: number;
  readonly cdpPort: number;
  readonly cdpWebSocketUrl: string;
}

/** Events a runtime emits (subscribe with `on`; the agent forwards them to the edge). */
export interface SessionRuntimeEvents {
  state: (state: RuntimeState, previous: RuntimeState) => void;
  chromiumExited: (exit: ChromiumExit) => void;
  restarted: (restart: ChromiumRestart) => void;
  /** The runtime gave up (Xvfb died, restart limit, start failure); it is torn down. */
  failed: (error: RuntimeError) => void;
  /** The display size changed through `setDisplaySize`. */
  resized: (size: { width: number; height: number }) => void;
}
