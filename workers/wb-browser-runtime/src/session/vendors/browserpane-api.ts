// The BrowserPane control-plane API v1 as the `browserpane` vendor uses it (the typed client of
// @browserpane/api), with its bearer token (a given OIDC token, or client credentials renewed
// before they expire).

import {
  type Api,
  ApiError,
  type ConnectTicket,
  type CreateSessionRequest,
  createApi,
  type Session,
  type SessionFile,
  type SessionStatus,
} from '@browserpane/api';
import type { BrowserPaneConfig } from '../../config.ts';
import { CodedError } from '../../failure/codes.ts';
import type { Logger } from '../../protocol/log.ts';
import { allocationError, httpFailure, retryableFetch } from './http.ts';

export type {
  ConnectTicket as AutomationTicket,
  Session as SessionResource,
  SessionFile,
  SessionStatus,
};

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

/** The edge's failure as the runtime reports it: 401/403 → AUTH_FAILED, else an allocation failure. */
function httpError(error: unknown, what: string): Error {
  if (!(error instanceof ApiError)) return error as Error;
  if (error.status === 0) return allocationError(error, what);
  const auth = error.status === 401 || error.status === 403;
  return new BrowserPaneHttpError(
    error.status,
    error.code,
    `${what}: HTTP ${error.status} ${error.code}`,
    auth ? 'AUTH_FAILED' : 'SESSION_ALLOCATE_FAILED',
  );
}

/** The typed client of `@browserpane/api`, with this runtime's retries, bearer and error codes. */
export class BrowserPaneApi {
  private token: { value: string; renewAt: number } | null = null;
  private readonly api: Api;

  constructor(
    private readonly config: BrowserPaneConfig,
    private readonly logger: Logger,
  ) {
    this.api = createApi({
      baseUrl: config.apiUrl ?? '',
      timeoutMs: 0,
      fetch: (url, init) => retryableFetch(url, init, { label: 'browserpane', logger }),
      token: async (renew) => {
        // A configured token is used as is; client credentials are renewed once on a 401.
        if (renew && this.config.token) return undefined;
        if (renew) this.token = null;
        return this.bearer();
      },
    });
  }

  get apiUrl(): string {
    return this.config.apiUrl ?? '';
  }

  me(): Promise<{ principal_id: string; name: string }> {
    return this.call('browserpane: who am I', () => this.api.getMe());
  }

  createSession(body: CreateSessionRequest): Promise<Session> {
    return this.call('browserpane: create session', () => this.api.createSession({ body }));
  }

  session(id: string): Promise<Session> {
    return this.call('browserpane: get session', () =>
      this.api.getSession({ params: { session_id: id } }),
    );
  }

  status(id: string): Promise<SessionStatus> {
    return this.call('browserpane: session status', () =>
      this.api.getSessionStatus({ params: { session_id: id } }),
    );
  }

  setAutomationOwner(id: string, principalId: string): Promise<Session> {
    return this.call('browserpane: delegate', () =>
      this.api.setAutomationOwner({
        params: { session_id: id },
        body: { client_id: principalId, display_name: 'wb-browser-runtime' },
      }),
    );
  }

  clearAutomationOwner(id: string): Promise<Session> {
    return this.call('browserpane: undelegate', () =>
      this.api.clearAutomationOwner({ params: { session_id: id } }),
    );
  }

  automationTicket(id: string): Promise<ConnectTicket> {
    return this.call('browserpane: automation ticket', () =>
      this.api.issueSessionAccessToken({
        params: { session_id: id },
        body: { role: 'automation' },
      }),
    );
  }

  /** The session's files (the first page: up to 500, oldest first). */
  async files(id: string): Promise<SessionFile[]> {
    const page = await this.call('browserpane: session files', () =>
      this.api.listSessionFiles({ params: { session_id: id }, query: { limit: 500 } }),
    );
    return page.files;
  }

  /** A session file's bytes, as a stream. */
  async fileContent(sessionId: string, fileId: string): Promise<ReadableStream<Uint8Array>> {
    const response = await this.call('browserpane: session file content', () =>
      this.api.getSessionFileContent({ params: { session_id: sessionId, file_id: fileId } }),
    );
    if (!response.body) throw new Error('browserpane: session file content: an empty answer');
    return response.body;
  }

  stop(id: string): Promise<Session> {
    return this.call('browserpane: stop session', () =>
      this.api.stopSession({ params: { session_id: id } }),
    );
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw httpError(error, what);
    }
  }

  private async bearer(): Promise<string> {
    if (this.config.token) return this.config.token;
    if (this.token && Date.now() < this.token.renewAt) return this.token.value;
    const what = 'browserpane: client credentials';
    let endpoint = this.config.tokenUrl;
    if (!endpoint) {
      const auth = await this.call('browserpane: auth config', () =>
        this.api.getAuthConfig(undefined, { token: null }),
      );
      endpoint = auth.token_endpoint;
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
