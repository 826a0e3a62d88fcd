// The vendor seam: how a session's browser is obtained, described and given back.

import type { Browser, BrowserContext } from 'playwright-core';

export interface AllocateRequest {
  /** Block `profile_id` (auth-state profile), if any. */
  profile: string | null;
  sessionName: string;
}

/** What a vendor hands the session manager. Exactly one of `cdpUrl`, `browser`, `context` is used. */
export interface Allocation {
  sessionId: string;
  /** CDP endpoint to attach to with `connectOverCDP` (remote vendors). */
  cdpUrl: string | null;
  /** Headers for the CDP connection (e.g. a gateway token). */
  connectHeaders?: Record<string, string>;
  /** Live view URL when the vendor knows it at allocation time. */
  liveUrl?: string | null;
  /** A browser the vendor already holds (its contexts/pages are reused). */
  browser?: Browser;
  /** A context the vendor created for this session (local: one per session name). */
  context?: BrowserContext;
}

/** `slice.paused.sidecar_state.session`: enough to reattach after the sidecar restarts. */
export interface PausedSession {
  vendor: string;
  name: string;
  sid: string;
  cdpUrl: string | null;
  liveUrl: string | null;
}

/** Extra fields a vendor may add to `slice.paused` when it can hand the browser to a person. */
export interface HandOff {
  [field: string]: unknown;
}

export interface Vendor {
  readonly name: string;
  allocate(request: AllocateRequest): Promise<Allocation>;
  /** The live URL for an allocation (null when the vendor has none). Never throws. */
  getLiveUrl(allocation: Allocation): Promise<string | null>;
  /**
   * Re-attaches to a session described in a paused slice's state (resume after `suspend`); null
   * when this vendor cannot (then a fresh session is allocated).
   */
  reconnect(state: PausedSession): Promise<Allocation | null>;
  /** Gives the session back (errors are logged, never thrown). */
  release(allocation: Allocation): Promise<void>;
  /**
   * Optional: `pause_for_human` on this vendor is a real hand-off (e.g. a BrowserPane console join
   * link). The returned fields are merged into the `slice.paused` frame.
   */
  handOff?(
    allocation: Allocation,
    request: { message: string; verbIndex: number },
  ): Promise<HandOff>;
  /**
   * Optional: writes to `to` a file the session's browser downloaded, for a browser on another
   * machine or in a sandbox (Playwright's own download path is then not on this filesystem). The
   * file is the one named `name` that finished at or after `since` (epoch ms); resolves false when
   * none did within `timeoutMs`.
   */
  fetchDownload?(
    allocation: Allocation,
    file: { name: string; since: number; timeoutMs: number },
    to: string,
  ): Promise<boolean>;
}
