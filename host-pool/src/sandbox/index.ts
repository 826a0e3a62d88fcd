/**
 * The per-session sandbox: a user id of its own (root agent), bubblewrap filesystem views, an
 * IPC namespace shared by the session's Xvfb and browser, a network namespace behind pasta that
 * reaches the internet but not the host, and the browser's enterprise policy. See SECURITY.md.
 * @module
 */
export { ALLOWED_BROWSER_PAGES, browserPolicy, POLICY_DIR } from './browser-policy.ts';
export { SandboxError, type SandboxErrorCode } from './errors.ts';
export { HostSandbox } from './host-sandbox.ts';
export type { SessionIdentity } from './identity.ts';
export { BLOCKED_NETS, SESSION_ADDRESS, SESSION_GATEWAY } from './network.ts';
export { type SandboxedCommand, SessionSandbox } from './session-sandbox.ts';
export {
  DEFAULT_SANDBOX_SETTINGS,
  DEFAULT_SANDBOX_UID_BASE,
  parseCidrList,
  parsePortList,
  SANDBOX_UID_RANGE,
  type SandboxSettings,
} from './settings.ts';
