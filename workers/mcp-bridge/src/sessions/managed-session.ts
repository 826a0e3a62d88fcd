import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { LocalCdpEndpoint } from '../cdp/local-endpoint.ts';
import type { BridgeConfig } from '../config.ts';
import { type EdgeClient, EdgeError, type SessionStatus } from '../edge/edge-client.ts';
import { BridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { PlaywrightMcp } from '../playwright/playwright-mcp.ts';

export interface ManagedSessionDeps {
  readonly edge: EdgeClient;
  readonly config: BridgeConfig;
  readonly log: Logger;
  /** The bridge's own principal id. */
  readonly principalId: string;
}

export type ManagedState = 'active' | 'revoked' | 'released';

/** What `/health`, `/control-session` and the `browserpane_session` tool say about a session. */
export interface SessionInfo {
  session_id: string;
  state: ManagedState;
  session_state: string | null;
  /** People (owner and viewer clients) connected to the session at the last look. */
  watchers: number;
  /** Whether tool calls are slowed down now (people watching and a delay configured). */
  supervised: boolean;
  supervised_delay_ms: number;
  cdp_attachments: number;
  revoked_reason: string | null;
}

const START_WAIT_MS = 60_000;

/**
 * One BrowserPane session under the bridge's control. Adopting it checks (or lazily claims) MCP
 * ownership at the edge; tool calls run one at a time through its own Playwright MCP, attached via
 * a loopback endpoint that mints a fresh automation ticket for every CDP attachment. The session's
 * status is watched: while people are connected each call waits `supervisedDelayMs` first, and
 * once the bridge is no longer its MCP owner it is cut off for good.
 */
export class ManagedSession {
  state: ManagedState = 'active';
  private watchers = 0;
  private sessionState: string | null = null;
  private revokedReason: string | null = null;
  private playwright: PlaywrightMcp | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly sessionId: string,
    private readonly deps: ManagedSessionDeps,
    private readonly endpoint: LocalCdpEndpoint,
    /** The bridge claimed MCP ownership itself (as automation owner): it gives it back on release. */
    private readonly claimedByBridge: boolean,
  ) {}

  /**
   * Takes control of a session delegated to the bridge: its MCP owner already, or its automation
   * owner (then the bridge claims MCP ownership, lazily). Throws `not_delegated` otherwise.
   */
  static async adopt(sessionId: string, deps: ManagedSessionDeps): Promise<ManagedSession> {
    const { edge, config, principalId } = deps;
    const session = await edge.session(sessionId).catch((err: unknown) => {
      if (err instanceof EdgeError && err.httpStatus === 404) throw notDelegated(sessionId);
      throw err;
    });
    let claimed = false;
    const viewport = config.viewport ? { viewport: config.viewport } : {};
    if (session.mcp_owner?.principal_id === principalId) {
      if (config.viewport) await edge.claimMcpOwner(sessionId, viewport);
    } else if (session.automation_owner?.principal_id === principalId) {
      await edge.claimMcpOwner(sessionId, { display_name: 'MCP bridge', ...viewport });
      claimed = true;
    } else {
      throw notDelegated(sessionId);
    }
    let managed: ManagedSession | undefined;
    const endpoint = await LocalCdpEndpoint.start({
      mint: () => (managed as ManagedSession).mint(),
      log: deps.log,
    });
    managed = new ManagedSession(sessionId, deps, endpoint, claimed);
    managed.watch();
    deps.log.info('session adopted', { sessionId, claimed });
    return managed;
  }

  info(): SessionInfo {
    const delay = this.deps.config.supervisedDelayMs;
    return {
      session_id: this.sessionId,
      state: this.state,
      session_state: this.sessionState,
      watchers: this.watchers,
      supervised: this.watchers > 0 && delay > 0,
      supervised_delay_ms: delay,
      cdp_attachments: this.endpoint.attachments,
      revoked_reason: this.revokedReason,
    };
  }

  /** Runs one Playwright MCP tool on the session (after the supervised delay when people watch). */
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const run = async () => {
      await this.refresh();
      const delay = this.deps.config.supervisedDelayMs;
      if (this.watchers > 0 && delay > 0) {
        await new Promise((r) => setTimeout(r, delay));
        this.ensureActive();
      }
      this.playwright ??= new PlaywrightMcp({
        cdpEndpoint: this.endpoint.url,
        log: this.deps.log,
        secrets: [this.endpoint.url],
      });
      return this.playwright.callTool(name, args);
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Re-reads the session's status: who owns it, who watches. Throws `session_revoked`. */
  async refresh(): Promise<SessionStatus | undefined> {
    this.ensureActive();
    let status: SessionStatus;
    try {
      status = await this.deps.edge.status(this.sessionId);
    } catch (err) {
      if (err instanceof EdgeError && err.httpStatus === 404) {
        await this.revoke('the session is no longer delegated to this bridge');
        this.ensureActive();
      }
      // The edge is unreachable: keep the last known state.
      this.deps.log.warn('status unavailable', {
        sessionId: this.sessionId,
        error: (err as Error).message,
      });
      return undefined;
    }
    if (status.mcp_owner_principal?.principal_id !== this.deps.principalId) {
      await this.revoke('the session owner cleared or moved MCP ownership');
      this.ensureActive();
    }
    this.watchers = status.connection_counts.owner + status.connection_counts.viewer;
    this.sessionState = status.state;
    return status;
  }

  /** Gives the session back: stops its Playwright MCP and, if the bridge claimed it, releases it. */
  async release(): Promise<void> {
    if (this.state === 'released') return;
    const wasActive = this.state === 'active';
    this.state = 'released';
    await this.shutdown();
    if (wasActive && this.claimedByBridge) {
      await this.deps.edge
        .releaseMcpOwner(this.sessionId)
        .catch((err: Error) => this.deps.log.warn('release failed', { error: err.message }));
    }
    this.deps.log.info('session released', { sessionId: this.sessionId });
  }

  /** Cuts the session off for good: no more CDP attachments, no more tool calls. */
  private async revoke(reason: string): Promise<void> {
    if (this.state !== 'active') return;
    this.state = 'revoked';
    this.revokedReason = reason;
    this.deps.log.info('session revoked', { sessionId: this.sessionId, reason });
    await this.shutdown();
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    this.endpoint.cut();
    await this.playwright?.stop();
    this.playwright = undefined;
    await this.endpoint.close();
  }

  private ensureActive(): void {
    if (this.state === 'revoked')
      throw new BridgeError(
        'session_revoked',
        `MCP control of this session ended: ${this.revokedReason}`,
      );
    if (this.state === 'released')
      throw new BridgeError('no_control_session', 'the bridge released this session');
  }

  private watch(): void {
    this.timer = setInterval(() => {
      void this.refresh().catch(() => undefined);
    }, this.deps.config.statusPollMs);
    this.timer.unref();
  }

  /** A gateway URL with a fresh automation ticket; waits (bounded) for a (re)starting session. */
  private async mint(): Promise<URL> {
    const deadline = Date.now() + START_WAIT_MS;
    for (;;) {
      this.ensureActive();
      try {
        const ticket = await this.deps.edge.automationTicket(this.sessionId);
        if (!ticket.cdp_url)
          throw new BridgeError('edge_unavailable', 'the ticket answer has no cdp_url');
        return new URL(ticket.cdp_url);
      } catch (err) {
        if (err instanceof EdgeError && (err.httpStatus === 404 || err.httpStatus === 403)) {
          await this.revoke('the bridge may no longer mint automation tickets for this session');
          throw err;
        }
        if (!(err instanceof EdgeError && err.httpStatus === 409) || Date.now() > deadline)
          throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}

function notDelegated(sessionId: string): BridgeError {
  return new BridgeError(
    'not_delegated',
    `session ${sessionId} is not delegated to this bridge: its owner must make the bridge its MCP owner (or automation owner) first`,
  );
}
