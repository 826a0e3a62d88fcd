// The slice of the BrowserPane control-plane API v1 the `browserpane` vendor uses, with its bearer
// token (a given OIDC token, or client credentials renewed before they expire).

import type { BrowserPaneConfig } from '../../config.ts';
import { CodedError } from '../../failure/codes.ts';
import type { Logger } from '../../protocol/log.ts';
import { expectJson, httpFailure, retryableFetch } from './http.ts';

export interface PrincipalRef {
  principal_id: string;
  display_name: string;
}

export interface SessionResource {
  id: string;
  state: string;
  owner: PrincipalRef;
  labels: Record<string, string>;
  automation_owner: PrincipalRef | null;
  mcp_owner: PrincipalRef | null;
}

export interface SessionStatus {
  state: string;
  runtime_state: string;
  connection_counts: Record<string, number>;
  admission: { position: number; reason: string } | null;
  stop_eligibility: { allowed: boolean; blockers: { kind: string; count: number }[] };
}

/** A file a session's browser downloaded, recorded by its host. */
export interface SessionFile {
  id: string;
  name: string;
  size: number;
  created_at: string;
  content_url: string;
}

export interface AutomationTicket {
  token: string;
  relay_url: string;
  cdp_url?: string;
}

/** An HTTP answer that was not 2xx, with the edge's stable error code. */
export class BrowserPaneHttpError extends CodedError {
  constructor(
    readonly status: number,
    readonly edgeCode: string,
    message: string,
    code: 'AUTH_FAILED' | 'SESSION_ALLOCATE_FAILED',
  ) {
    super(code, message);
  }
}

export class BrowserPaneApi {
  private token: { value: string; renewAt: number } | null = null;

  constructor(
    private readonly config: BrowserPaneConfig,
    private readonly logger: Logger,
  ) {}

  get apiUrl(): string {
    return this.config.apiUrl ?? '';
  }

  me(): Promise<{ principal_id: string; name: string }> {
    return this.call('GET', '/api/v1/me', 'browserpane: who am I');
  }

  createSession(body: Record<string, unknown>): Promise<SessionResource> {
    return this.call('POST', '/api/v1/sessions', 'browserpane: create session', body);
  }

  session(id: string): Promise<SessionResource> {
    return this.call('GET', sessionPath(id), 'browserpane: get session');
  }

  status(id: string): Promise<SessionStatus> {
    return this.call('GET', `${sessionPath(id)}/status`, 'browserpane: session status');
  }

  setAutomationOwner(id: string, principalId: string): Promise<SessionResource> {
    return this.call('POST', `${sessionPath(id)}/automation-owner`, 'browserpane: delegate', {
      principal_id: principalId,
      display_name: 'wb-browser-runtime',
    });
  }

  clearAutomationOwner(id: string): Promise<SessionResource> {
    return this.call('DELETE', `${sessionPath(id)}/automation-owner`, 'browserpane: undelegate');
  }

  automationTicket(id: string): Promise<AutomationTicket> {
    return this.call('POST', `${sessionPath(id)}/access-tokens`, 'browserpane: automation ticket', {
      role: 'automation',
    });
  }

  /** The session's files (the first page: up to 500, oldest first). */
  async files(id: string): Promise<SessionFile[]> {
    const page = await this.call<{ files: SessionFile[] }>(
      'GET',
      `${sessionPath(id)}/files?limit=500`,
      'browserpane: session files',
    );
    return page.files;
  }

  /** A session file's bytes (`content_url` of a listed file), as a stream. */
  async fileContent(contentUrl: string): Promise<ReadableStream<Uint8Array>> {
    const what = 'browserpane: session file content';
    const response = await retryableFetch(
      new URL(contentUrl, `${this.apiUrl}/`).toString(),
      { method: 'GET', headers: { Authorization: `Bearer ${await this.bearer()}` } },
      { label: what, logger: this.logger },
    );
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new BrowserPaneHttpError(
        response.status,
        'http_error',
        `${what}: HTTP ${response.status}`,
        response.status === 401 || response.status === 403
          ? 'AUTH_FAILED'
          : 'SESSION_ALLOCATE_FAILED',
      );
    }
    return response.body;
  }

  stop(id: string): Promise<SessionResource> {
    return this.call('POST', `${sessionPath(id)}/stop`, 'browserpane: stop session', {});
  }

  /** One JSON call; 401 once renews a client-credentials token. 401/403 → AUTH_FAILED. */
  private async call<T>(method: string, path: string, what: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const response = await retryableFetch(
        `${this.apiUrl}${path}`,
        {
          method,
          headers: {
            Authorization: `Bearer ${await this.bearer()}`,
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        },
        { label: what, logger: this.logger },
      );
      if (response.status === 401 && attempt === 0 && !this.config.token) {
        this.token = null;
        await response.body?.cancel();
        continue;
      }
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        let edgeCode = 'http_error';
        try {
          edgeCode = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? edgeCode;
        } catch {
          // not the edge's error shape
        }
        const auth = response.status === 401 || response.status === 403;
        throw new BrowserPaneHttpError(
          response.status,
          edgeCode,
          `${what}: HTTP ${response.status} ${edgeCode}`,
          auth ? 'AUTH_FAILED' : 'SESSION_ALLOCATE_FAILED',
        );
      }
      return (await expectJson(response, what)) as T;
    }
  }

  private async bearer(): Promise<string> {
    if (this.config.token) return this.config.token;
    if (this.token && Date.now() < this.token.renewAt) return this.token.value;
    const what = 'browserpane: client credentials';
    let endpoint = this.config.tokenUrl;
    if (!endpoint) {
      const response = await retryableFetch(
        `${this.apiUrl}/auth-config.json`,
        { method: 'GET' },
        { label: 'browserpane: auth config', logger: this.logger },
      );
      const auth = await expectJson(response, 'browserpane: auth config');
      endpoint = typeof auth.token_endpoint === 'string' ? auth.token_endpoint : null;
      if (!endpoint) throw new Error('browserpane: no token endpoint; set BROWSERPANE_TOKEN_URL');
    }
    const basic = Buffer.from(
      `${encodeURIComponent(this.config.clientId ?? '')}:${encodeURIComponent(this.config.clientSecret ?? '')}`,
    ).toString('base64');
    const response = await retryableFetch(
      endpoint,
      {
        method: 'POST',
        headers: {
          Authorization: `Basic ${basic}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
      },
      { label: what, logger: this.logger },
    );
    if (!response.ok) {
      const failure = await httpFailure(response, what);
      // 400/401 from a token endpoint is a credentials problem.
      throw response.status === 400 ? new CodedError('AUTH_FAILED', failure.message) : failure;
    }
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new CodedError('AUTH_FAILED', `${what}: no access_token`);
    const ttl = Math.max(30, body.expires_in ?? 300);
    this.token = {
      value: body.access_token,
      renewAt: Date.now() + (ttl > 120 ? ttl - 60 : ttl / 2) * 1000,
    };
    return body.access_token;
  }
}

function sessionPath(id: string): string {
  return `/api/v1/sessions/${encodeURIComponent(id)}`;
}
