import type { BridgeConfig } from '../config.ts';
import { BridgeError } from '../errors.ts';

/** The slice of the edge's API v1 the bridge uses (see openapi/browserpane-control-v1.yaml). */
export interface PrincipalRef {
  principal_id: string;
  display_name: string;
}

export interface SessionResource {
  id: string;
  state: string;
  owner: PrincipalRef;
  viewport: { width: number; height: number };
  automation_owner: PrincipalRef | null;
  mcp_owner: PrincipalRef | null;
}

export interface SessionStatus {
  session_id: string;
  state: string;
  runtime_state: string;
  connection_counts: Record<'owner' | 'viewer' | 'automation' | 'recorder' | 'total', number>;
  automation_owner: PrincipalRef | null;
  mcp_owner: PrincipalRef | null;
}

export interface AutomationTicket {
  token: string;
  expires_at: string;
  relay_url: string;
  /** The CDP gateway URL with the ticket (a secret). */
  cdp_url?: string;
}

export interface AuthConfig {
  issuer: string;
  audience?: string;
  token_endpoint: string | null;
}

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

/**
 * Talks to the edge as the bridge's service principal: a client-credentials token (fetched when
 * needed, renewed a minute before it expires or when the edge answers 401), then API v1 calls.
 */
export class EdgeClient {
  private token: { value: string; renewAt: number } | undefined;
  private pendingToken: Promise<string> | undefined;
  private authConfig: Promise<AuthConfig> | undefined;
  private me: string | undefined;

  constructor(private readonly config: BridgeConfig) {}

  /** The edge's `/auth-config.json` (issuer, audience, token endpoint), fetched once. */
  auth(): Promise<AuthConfig> {
    this.authConfig ??= (async () => {
      const res = await this.fetch(`${this.config.apiUrl}/auth-config.json`, {});
      if (!res.ok)
        throw new EdgeError(res.status, 'auth_config', `auth-config: HTTP ${res.status}`);
      return (await res.json()) as AuthConfig;
    })().catch((err: unknown) => {
      this.authConfig = undefined;
      throw err;
    });
    return this.authConfig;
  }

  /** The bridge's own principal id (`GET /api/v1/me`). */
  async principalId(): Promise<string> {
    if (this.me) return this.me;
    const me = await this.call<{ principal_id: string }>('GET', '/api/v1/me');
    this.me = me.principal_id;
    return this.me;
  }

  session(id: string): Promise<SessionResource> {
    return this.call('GET', `/api/v1/sessions/${encodeURIComponent(id)}`);
  }

  status(id: string): Promise<SessionStatus> {
    return this.call('GET', `/api/v1/sessions/${encodeURIComponent(id)}/status`);
  }

  claimMcpOwner(
    id: string,
    body: { display_name?: string; viewport?: { width: number; height: number } },
  ): Promise<SessionResource> {
    return this.call('POST', `/api/v1/sessions/${encodeURIComponent(id)}/mcp-owner`, body);
  }

  releaseMcpOwner(id: string): Promise<SessionResource> {
    return this.call('DELETE', `/api/v1/sessions/${encodeURIComponent(id)}/mcp-owner`);
  }

  automationTicket(id: string): Promise<AutomationTicket> {
    return this.call('POST', `/api/v1/sessions/${encodeURIComponent(id)}/access-tokens`, {
      role: 'automation',
    });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const res = await this.fetch(`${this.config.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.status === 401 && attempt === 0) {
        this.token = undefined;
        await res.body?.cancel();
        continue;
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!res.ok) {
        const err = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
        throw new EdgeError(
          res.status,
          err?.code ?? 'http_error',
          `${method} ${path.replace(/\/sessions\/[^/]+/, '/sessions/{id}')}: ${err?.code ?? `HTTP ${res.status}`}${err?.message ? ` (${err.message})` : ''}`,
        );
      }
      return parsed as T;
    }
  }

  private async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.renewAt) return this.token.value;
    this.pendingToken ??= this.fetchToken().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  private async fetchToken(): Promise<string> {
    const endpoint = this.config.tokenUrl ?? (await this.auth()).token_endpoint;
    if (!endpoint)
      throw new BridgeError('config_invalid', 'no token endpoint: set MCP_BRIDGE_TOKEN_URL');
    const basic = Buffer.from(
      `${encodeURIComponent(this.config.clientId)}:${encodeURIComponent(this.config.clientSecret)}`,
    ).toString('base64');
    const res = await this.fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        ...(this.config.audience ? { audience: this.config.audience } : {}),
      }),
    });
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

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new BridgeError(
        'edge_unavailable',
        `the edge is unreachable: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
}
