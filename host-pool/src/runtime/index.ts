/**
 * Session runtimes: one Xvfb display and one supervised Chromium per session, a slot limiter,
 * and the display-resize primitive.
 * @module
 */
export { type ChromiumLaunchOptions, chromiumArgs, findChromium } from './chromium.ts';
export { RuntimeError, type RuntimeErrorCode } from './errors.ts';
export type { SessionPaths } from './profile.ts';
export { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.ts';
export {
  openSessionDisplay,
  type SessionDisplay,
  type SessionDisplayOptions,
} from './session-display.ts';
export type {
  ChromiumExit,
  ChromiumRestart,
  RuntimeState,
  SessionRuntimeEvents,
  SessionStartOptions,
} from './session-options.ts';
export { SessionRuntime } from './session-runtime.ts';
export {
  defaultSlotCount,
  type RuntimeSlot,
  SESSION_MEMORY_BYTES,
  SlotLimiter,
  type SlotLimiterOptions,
} from './slot-limiter.ts';
export type { XAuthCookie } from './xauth.ts';
