import {
  type Api,
  ApiError,
  type AuthConfig,
  type ConnectTicket,
  createApi,
  type McpOwnerRequest,
  type Session,
  type SessionStatus,
} from '@browserpane/api';
import type { BridgeConfig } from '../config.ts';
import { BridgeError } from '../errors.ts';

/** The edge's API v1 as the bridge uses it: the typed client of `@browserpane/api`. */
export type { AuthConfig, Session as SessionResource, SessionStatus };
export type AutomationTicket = ConnectTicket;

/** An HTTP failure of the edge, with its stable error code when it sent one. */
export class EdgeError extends BridgeError {
  constructor(
    readonly httpStatus: number,
    readonly edgeCode: string,
    message: string,
  ) {
    super(
      httpStatus === 404
        ? 'session_not_found'
        : httpStatus === 401
          ? 'edge_auth_failed'
          : httpStatus === 403
            ? 'not_delegated'
            : httpStatus === 409
              ? 'session_not_running'
              : 'edge_unavailable',
      message,
    );
  }
}

const TIMEOUT_MS = 15_000;

/** The bridge's errors for a failed call: unreachable → `edge_unavailable`, else by status. */
function bridgeError(error: unknown): Error {
  if (!(error instanceof ApiError)) return error as Error;
  if (error.status === 0)
    return new BridgeError('edge_unavailable', `the edge is unreachable: ${error.message}`, {
      cause: error,
    });
  return new EdgeError(
    error.status,
    error.code,
    `${error.message.replace(/\/sessions\/[^/ ]+/, '/sessions/{id}')} (${error.code})`,
  );
}

/**
 * Talks to the edge as the bridge's service principal: a client-credentials token (fetched when
 * needed, renewed a minute before it expires or when the edge answers 401), then API v1 calls.
 */
export class EdgeClient {
  private token: { value: string; renewAt: number } | undefined;
  private pendingToken: Promise<string> | undefined;
  private authConfig: Promise<AuthConfig> | undefined;
  private me: string | undefined;
  private readonly api: Api;

  constructor(private readonly config: BridgeConfig) {
    this.api = createApi({
      baseUrl: config.apiUrl,
      timeoutMs: TIMEOUT_MS,
      token: (renew) => {
        if (renew) this.token = undefined;
        return this.accessToken();
      },
    });
  }

  /** The edge's `/auth-config.json` (issuer, audience, token endpoint), fetched once. */
  auth(): Promise<AuthConfig> {
    this.authConfig ??= this.api.getAuthConfig(undefined, { token: null }).catch((err: unknown) => {
      this.authConfig = undefined;
      throw bridgeError(err);
    });
    return this.authConfig;
  }

  /** The bridge's own principal id (`GET /api/v1/me`). */
  async principalId(): Promise<string> {
    if (this.me) return this.me;
    const me = await this.api.getMe().catch((err: unknown) => Promise.reject(bridgeError(err)));
    this.me = me.principal_id;
    return this.me;
  }

  session(id: string): Promise<Session> {
    return this.api.getSession({ params: { session_id: id } }).catch(rethrow);
  }

  status(id: string): Promise<SessionStatus> {
    return this.api.getSessionStatus({ params: { session_id: id } }).catch(rethrow);
  }

  claimMcpOwner(id: string, body: McpOwnerRequest): Promise<Session> {
    return this.api.setSessionMcpOwner({ params: { session_id: id }, body }).catch(rethrow);
  }

  releaseMcpOwner(id: string): Promise<Session> {
    return this.api.clearSessionMcpOwner({ params: { session_id: id } }).catch(rethrow);
  }

  automationTicket(id: string): Promise<AutomationTicket> {
    return this.api
      .issueSessionAccessToken({ params: { session_id: id }, body: { role: 'automation' } })
      .catch(rethrow);
  }

  private async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.renewAt) return this.token.value;
    this.pendingToken ??= this.fetchToken().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  /** The client-credentials grant at the issuer's token endpoint (OAuth, not the edge's API). */
  private async fetchToken(): Promise<string> {
    const endpoint = this.config.tokenUrl ?? (await this.auth()).token_endpoint;
    if (!endpoint)
      throw new BridgeError('config_invalid', 'no token endpoint: set MCP_BRIDGE_TOKEN_URL');
    const basic = Buffer.from(
      `${encodeURIComponent(this.config.clientId)}:${encodeURIComponent(this.config.clientSecret)}`,
    ).toString('base64');
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          ...(this.config.audience ? { audience: this.config.audience } : {}),
        }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new BridgeError(
        'edge_unavailable',
        `the edge is unreachable: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
    };
    if (!res.ok || !body.access_token) {
      throw new BridgeError(
        'edge_auth_failed',
        `client credentials for ${this.config.clientId} refused: ${body.error ?? `HTTP ${res.status}`}`,
      );
    }
    const ttl = Math.max(30, body.expires_in ?? 300);
    this.token = {
      value: body.access_token,
      renewAt: Date.now() + (ttl - 60 > 0 ? ttl - 60 : ttl / 2) * 1000,
    };
    return body.access_token;
  }
}

function rethrow(err: unknown): never {
  throw bridgeError(err);
}
