/** The host ↔ edge contract (openapi: /api/v1/hosts/*). Hosts call out; the edge never calls in. */
export interface EnrollRequest {
  readonly name: string;
  readonly region: string;
  readonly coordinates?: { lat: number; lon: number } | undefined;
  readonly capacity: { max_sessions: number };
  readonly relay_url: string;
  /** The relay certificate's hash for clients to pin; null = a CA certificate (no pin). */
  readonly cert_sha256: string | null;
  readonly agent_version: string;
  /** The credential of this name's current enrolment: re-enrolling a live host's name needs it. */
  readonly host_credential?: string;
}

export interface EnrollAnswer {
  readonly host_id: string;
  readonly host_credential: string;
  readonly heartbeat_interval_ms: number;
  readonly lost_after_ms?: number;
  readonly jwks_url: string;
  readonly ticket_issuer: string;
  readonly ticket_audience: string;
}

export type RuntimeReportState = 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';

export interface HeartbeatRequest {
  readonly capacity: { max_sessions: number; free_sessions: number };
  readonly load: { cpu_percent: number; memory_available_mb: number };
  readonly region: string;
  readonly coordinates?: { lat: number; lon: number } | undefined;
  readonly relay_url: string;
  /** The current pin (it changes when the certificate is renewed or reloaded), or null. */
  readonly cert_sha256: string | null;
  readonly runtimes: Array<{
    session_id: string;
    state: RuntimeReportState;
    restarts: number;
    display: { width: number; height: number };
    error?: string;
  }>;
  readonly connections: Array<{
    connection_id: string;
    session_id: string;
    role: string;
    principal: string;
    display_name: string;
    connected_at: string;
    client?: string;
  }>;
  readonly events: Array<{
    session_id: string;
    type: string;
    at: string;
    data?: Record<string, unknown>;
  }>;
  readonly acked_commands: string[];
}

export interface SessionOptions {
  readonly viewport: { width: number; height: number };
  readonly capabilities: Record<string, boolean>;
  readonly owner_mode: 'collaborative' | 'exclusive';
  /** How moving content is streamed (default `roi`). */
  readonly video_mode?: 'roi' | 'full' | 'off';
  readonly idle_timeout_sec?: number;
  readonly labels?: Record<string, string>;
}

export interface DesiredSession {
  readonly session_id: string;
  readonly desired: 'running' | 'stopped' | 'killed';
  /**
   * The session's grant generation: automation connections admitted with an older ticket `gen`
   * are cut, later ones refused (absent from an older edge: 0).
   */
  readonly grant_generation?: number;
  readonly options: SessionOptions;
}

export interface HostCommand {
  readonly command_id: string;
  readonly type: 'disconnect' | 'disconnect_all';
  readonly session_id: string;
  readonly connection_id?: string;
}

/** A file a session produced, as the host uploads it to the edge's files API. */
export interface SessionFileUpload {
  fileId: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  body: ReadableStream<Uint8Array>;
}

export interface DesiredState {
  readonly heartbeat_interval_ms: number;
  readonly sessions: DesiredSession[];
  readonly commands: HostCommand[];
}

export class EdgeError extends Error {
  override readonly name = 'EdgeError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Calls the edge's host endpoints with a timeout; never logs credentials. */
export class EdgeClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  enroll(token: string, body: EnrollRequest): Promise<EnrollAnswer> {
    return this.post('/api/v1/hosts/enroll', token, body);
  }

  heartbeat(hostId: string, credential: string, body: HeartbeatRequest): Promise<DesiredState> {
    return this.post(`/api/v1/hosts/${encodeURIComponent(hostId)}/heartbeat`, credential, body);
  }

  /**
   * Records a file a session produced (`PUT …/sessions/{id}/files/{file_id}`), streaming its
   * content; idempotent per `fileId`.
   */
  async putSessionFile(
    hostId: string,
    credential: string,
    sessionId: string,
    file: SessionFileUpload,
  ): Promise<unknown> {
    const path = `/api/v1/hosts/${encodeURIComponent(hostId)}/sessions/${encodeURIComponent(sessionId)}/files/${encodeURIComponent(file.fileId)}`;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${credential}`,
        'content-type': file.mime,
        'content-length': String(file.size),
        'x-file-name': encodeURIComponent(file.name),
        'x-file-sha256': file.sha256,
      },
      body: file.body,
      duplex: 'half',
      // Content takes longer than a heartbeat: a minute plus a second per MB.
      signal: AbortSignal.timeout(60_000 + Math.ceil(file.size / 1e6) * 1000),
    } as RequestInit);
    const text = await res.text();
    if (!res.ok) {
      let err: { code?: string; message?: string } | undefined;
      try {
        err = (JSON.parse(text) as { error?: typeof err }).error;
      } catch {
        err = undefined;
      }
      throw new EdgeError(
        res.status,
        err?.code ?? 'http_error',
        `${path}: ${err?.message ?? res.statusText}`,
      );
    }
    return text ? JSON.parse(text) : undefined;
  }

  private async post<T>(path: string, bearer: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
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
        `${path}: ${err?.message ?? res.statusText}`,
      );
    }
    return parsed as T;
  }
}
