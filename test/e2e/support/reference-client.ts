/**
 * A client of the reference's frozen v1 session contract, written only from its digest
 * (shared/research/reference-contract.md §2–§4), the way its CLI, MCP bridge and workers call it:
 * bare POSTs for actions, its own body members, `error` read as the message of a failure, nothing
 * of our own API. It proves that such clients work against BrowserPane unchanged.
 */

// biome-ignore lint/suspicious/noExplicitAny: a reference client reads members by name, as its JSON says
type Json = any;

export class ReferenceApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class ReferenceClient {
  constructor(
    private readonly baseUrl: string,
    private readonly bearer: string | null,
    private readonly automationToken: string | null = null,
  ) {}

  /** The same client with a session automation token instead of the bearer. */
  withAutomationToken(token: string): ReferenceClient {
    return new ReferenceClient(this.baseUrl, null, token);
  }

  private async call(method: string, path: string, body?: unknown): Promise<Json> {
    const headers: Record<string, string> = {};
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.automationToken) headers['x-bpane-automation-access-token'] = this.automationToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as Json) : null;
    if (!res.ok) {
      // The reference's clients read `error` and otherwise fall back to the status line.
      throw new ReferenceApiError(res.status, parsed?.error ?? `HTTP ${res.status}`);
    }
    return parsed;
  }

  me = () => this.call('GET', '/api/v1/identity/me');
  createSession = (body: Json) => this.call('POST', '/api/v1/sessions', body);
  listSessions = (labels: Record<string, string> = {}) =>
    this.call(
      'GET',
      `/api/v1/sessions?${new URLSearchParams(Object.entries(labels).map(([k, v]) => [`label.${k}`, v]))}`,
    ).then((b) => b.sessions as Json[]);
  getSession = (id: string) => this.call('GET', `/api/v1/sessions/${id}`);
  status = (id: string) => this.call('GET', `/api/v1/sessions/${id}/status`);
  accessToken = (id: string) => this.call('POST', `/api/v1/sessions/${id}/access-tokens`);
  automationAccess = (id: string) => this.call('POST', `/api/v1/sessions/${id}/automation-access`);
  setAutomationOwner = (
    id: string,
    body: { client_id: string; issuer?: string | null; display_name?: string | null },
  ) => this.call('POST', `/api/v1/sessions/${id}/automation-owner`, body);
  clearAutomationOwner = (id: string) =>
    this.call('DELETE', `/api/v1/sessions/${id}/automation-owner`);
  /** The MCP bridge posts to the `mcp_owner_path` automation access named. */
  claimMcpOwner = (path: string, width: number, height: number) =>
    this.call('POST', path, { width, height });
  releaseMcpOwner = (path: string) => this.call('DELETE', path);
  disconnect = (id: string, connectionId: number) =>
    this.call('POST', `/api/v1/sessions/${id}/connections/${connectionId}/disconnect`);
  disconnectAll = (id: string) =>
    this.call('POST', `/api/v1/sessions/${id}/connections/disconnect-all`);
  stop = (id: string) => this.call('POST', `/api/v1/sessions/${id}/stop`);
  kill = (id: string) => this.call('POST', `/api/v1/sessions/${id}/kill`);
  delete = (id: string) => this.call('DELETE', `/api/v1/sessions/${id}`);
}
