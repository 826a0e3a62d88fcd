import type { SessionOptions } from '../control/edge-client.ts';
import type { SessionHub } from '../relay/session-hub.ts';

export type LiveState = 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';

/** Something that happened to a session, reported to the edge with the next heartbeat. */
export interface SessionEvent {
  readonly type: string;
  readonly at: string;
  readonly data?: Record<string, unknown>;
}

/** One running session on this host: its runtime, display pipeline and hub. */
export interface LiveSession {
  readonly sessionId: string;
  readonly hub: SessionHub;
  state(): LiveState;
  restarts(): number;
  display(): { width: number; height: number };
  /** The browser's DevTools endpoint on loopback (for the CDP gateway). */
  cdpPort(): number | undefined;
  /** The session's X display and its cookie (screenshots, clipboard tools, tests). */
  xDisplay(): { display: string; auth: { name: string; data: string } } | undefined;
  /** Process ids and paths, for operators and fault tests. */
  diagnostics(): {
    chromiumPid: number | undefined;
    xvfbPid: number | undefined;
    profileDir: string;
    /** The session's own user id (sandboxed under a root agent). */
    uid?: number | undefined;
  };
  /** Resizes the display to a new desired viewport (fitted to the runtime's limits); tells everyone. */
  applyViewport(width: number, height: number): Promise<void>;
  /** Records an event for the edge (e.g. an automation attach). */
  event(type: string, data: Record<string, unknown>): void;
  /** Events since the last call. */
  drainEvents(): SessionEvent[];
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Builds live sessions (runtime + capture + input + hub); the agent decides when. */
export interface LiveSessionFactory {
  create(sessionId: string, options: SessionOptions, onChange: () => void): Promise<LiveSession>;
}
