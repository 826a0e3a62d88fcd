/** The slice of the control-plane API v1 the console uses (see openapi/browserpane-control-v1.yaml). */
export interface SessionResource {
  readonly id: string;
  readonly state: string;
  readonly created_at: string;
  readonly updated_at?: string;
  readonly viewport?: { width: number; height: number };
  readonly owner_mode?: string;
  readonly labels?: Record<string, string>;
  readonly capabilities?: Record<string, boolean>;
}

export interface TicketAnswer {
  readonly token: string;
  readonly expires_at: string;
  readonly session_id: string;
  readonly role: string;
  readonly relay_url: string;
  /** null: the relay has a CA certificate (nothing to pin). */
  readonly cert_sha256: string | null;
  readonly capabilities?: string[];
}

export interface SessionStatus {
  readonly state: string;
  readonly runtime_state?: string;
  readonly presence_state?: string;
  readonly connection_counts?: Record<string, number>;
  readonly connections?: Array<{
    connection_id: string;
    role: string;
    display_name?: string;
    principal?: string;
  }>;
  readonly automation_owner?: { principal_id: string } | null;
  readonly mcp_owner?: { principal_id: string } | null;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(private readonly token: () => string | undefined) {}

  listSessions(): Promise<SessionResource[]> {
    return this.call<
      { sessions?: SessionResource[]; items?: SessionResource[] } | SessionResource[]
    >('GET', '/api/v1/sessions').then((b) =>
      Array.isArray(b) ? b : (b.sessions ?? b.items ?? []),
    );
  }

  createSession(body: {
    viewport?: { width: number; height: number };
    labels?: Record<string, string>;
  }): Promise<SessionResource> {
    return this.call('POST', '/api/v1/sessions', body);
  }

  status(id: string): Promise<SessionStatus> {
    return this.call('GET', `/api/v1/sessions/${encodeURIComponent(id)}/status`);
  }

  ticket(id: string, role: 'owner' | 'viewer'): Promise<TicketAnswer> {
    return this.call('POST', `/api/v1/sessions/${encodeURIComponent(id)}/access-tokens`, { role });
  }

  stop(id: string): Promise<unknown> {
    return this.call('POST', `/api/v1/sessions/${encodeURIComponent(id)}/stop`, {});
  }

  kill(id: string): Promise<unknown> {
    return this.call('POST', `/api/v1/sessions/${encodeURIComponent(id)}/kill`, {});
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = this.token();
    const res = await fetch(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const err = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(
        res.status,
        err?.code ?? 'http_error',
        err?.message ?? `${method} ${path} failed (${res.status})`,
      );
    }
    return parsed as T;
  }
}
