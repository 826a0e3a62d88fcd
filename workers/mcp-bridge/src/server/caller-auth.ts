import type { IncomingMessage } from 'node:http';
import type { BridgeConfig } from '../config.ts';
import { type EdgeClient, EdgeError, type SessionResource } from '../edge/edge-client.ts';
import type { PersonVerifier } from '../edge/person-verifier.ts';
import { BridgeError } from '../errors.ts';
import { bearerToken, sameSecret } from './http-util.ts';

/** Who is calling the bridge, as proven by their token (the token itself is never kept). */
export interface Caller {
  /** The verified principal id, or `operator` for a holder of MCP_BRIDGE_AUTH_TOKEN. */
  readonly principal: string;
  readonly via: 'oidc' | 'auth_token';
}

export interface CallerAuthDeps {
  readonly config: BridgeConfig;
  readonly edge: EdgeClient;
  readonly verifier: PersonVerifier;
}

/**
 * Every bridge route but `/health` checks who knocks: an OIDC bearer token from the issuer the
 * edge trusts (verified against its JWKS, never forwarded), or the operator's static
 * MCP_BRIDGE_AUTH_TOKEN. A caller may drive or look at a session only when the edge names it
 * the session's owner, automation owner or MCP owner — anyone else gets the same 404 as for a
 * session that does not exist. Positive answers are remembered for `statusPollMs`.
 */
export class CallerAuth {
  private readonly entitled = new Map<string, number>();

  constructor(private readonly deps: CallerAuthDeps) {}

  /** The caller of `req`; throws `unauthorized` (401) without a valid token. */
  async identify(req: IncomingMessage): Promise<Caller> {
    const token = bearerToken(req);
    if (!token)
      throw new BridgeError('unauthorized', 'a bearer token is required (your OIDC access token)');
    const { authToken } = this.deps.config;
    if (authToken && sameSecret(token, authToken))
      return { principal: 'operator', via: 'auth_token' };
    return { principal: await this.deps.verifier.subject(token), via: 'oidc' };
  }

  /** Throws `session_not_found` (404) unless `caller` may use session `sessionId` now. */
  async entitle(caller: Caller, sessionId: string): Promise<void> {
    if ((await this.check(caller, sessionId)) !== 'yes') throw notFound(sessionId);
  }

  /**
   * Whether `caller` may use session `sessionId` through the bridge: `yes`, `no`, or `gone` when
   * the edge no longer shows the session to the bridge at all (its delegation was revoked: the
   * bridge cannot drive it either, and says so to connections that were opened before).
   */
  async check(caller: Caller, sessionId: string): Promise<'yes' | 'no' | 'gone'> {
    if (caller.via === 'auth_token') return 'yes';
    const key = `${caller.principal}\n${sessionId}`;
    const until = this.entitled.get(key);
    if (until !== undefined && until > Date.now()) return 'yes';
    let session: SessionResource;
    try {
      session = await this.session(sessionId);
    } catch (err) {
      if (err instanceof BridgeError && err.code === 'session_not_found') return 'gone';
      throw err;
    }
    const allowed = [session.owner, session.automation_owner, session.mcp_owner].some(
      (p) => p?.principal_id === caller.principal,
    );
    if (!allowed) return 'no';
    if (this.entitled.size > 4096) this.entitled.clear();
    this.entitled.set(key, Date.now() + this.deps.config.statusPollMs);
    return 'yes';
  }

  /** The session as the bridge sees it; `session_not_found` when it is not delegated to it. */
  async session(sessionId: string): Promise<SessionResource> {
    return this.deps.edge.session(sessionId).catch((err: unknown) => {
      if (err instanceof EdgeError && err.httpStatus === 404) throw notFound(sessionId);
      throw err;
    });
  }
}

function notFound(sessionId: string): BridgeError {
  return new BridgeError(
    'session_not_found',
    `no session ${sessionId} that you may use is delegated to this bridge`,
  );
}
