import type { DesiredState, HeartbeatRequest } from '@browserpane/api';
import { expect } from 'vitest';
import type { Api } from './api.ts';

/** The host contract's bodies, as declared (`@browserpane/api`). */
export type Runtime = HeartbeatRequest['runtimes'][number];
export type Conn = HeartbeatRequest['connections'][number];
export type Desired = DesiredState;

/**
 * Speaks the host side of the contract over HTTP, as the host agent does: enrol, then heartbeat
 * with the runtimes and connections the test sets, and read back the desired state.
 */
export class HostDriver {
  id = '';
  credential = '';
  runtimes = new Map<string, Runtime>();
  connections: Conn[] = [];
  events: { session_id: string; type: string; at: string; data?: Record<string, unknown> }[] = [];
  acked: string[] = [];
  last: Desired | null = null;
  /**
   * What enrolment and heartbeats report as `cert_sha256`: `certSha256` unless a test sets it;
   * null = no pin (a CA certificate), undefined = the field left out.
   */
  pin: string | null | undefined;
  /** Whether the host reports a recording worker (`recorder.available`). */
  recorder = false;
  #timer: NodeJS.Timeout | undefined;
  #inflight: Promise<unknown> = Promise.resolve();
  #busy = false;

  constructor(
    private readonly api: Api,
    readonly name: string,
    readonly opts: {
      region?: string;
      maxSessions?: number;
      coordinates?: { lat: number; lon: number };
    } = {},
  ) {
    this.pin = this.certSha256;
  }

  get relayUrl() {
    return `https://${this.name}.relay.test:4433`;
  }

  get certSha256() {
    return Buffer.from(this.name.padEnd(32, '.')).toString('hex').slice(0, 64);
  }

  async enroll(token: string) {
    const res = await this.api.post('/api/v1/hosts/enroll', token, {
      name: this.name,
      region: this.opts.region ?? 'local',
      ...(this.opts.coordinates ? { coordinates: this.opts.coordinates } : {}),
      capacity: { max_sessions: this.opts.maxSessions ?? 4 },
      relay_url: this.relayUrl,
      ...this.pinField(),
      agent_version: '0.1.0-test',
      // Re-enrolling a live host's name takes the credential of its current enrolment.
      ...(this.credential ? { host_credential: this.credential } : {}),
    });
    expect(res.status).toBe(201);
    this.id = res.body.host_id;
    this.credential = res.body.host_credential;
    return res.body;
  }

  run(sessionId: string, state: Runtime['state'] = 'running', extra: Partial<Runtime> = {}) {
    this.runtimes.set(sessionId, {
      session_id: sessionId,
      state,
      restarts: 0,
      display: { width: 1280, height: 720 },
      ...extra,
    });
  }

  drop(sessionId: string) {
    this.runtimes.delete(sessionId);
    this.connections = this.connections.filter((c) => c.session_id !== sessionId);
  }

  connect(conn: Omit<Conn, 'connected_at'>) {
    this.connections.push({ ...conn, connected_at: new Date().toISOString() });
  }

  body() {
    const max = this.opts.maxSessions ?? 4;
    return {
      capacity: { max_sessions: max, free_sessions: Math.max(0, max - this.runtimes.size) },
      load: { cpu_percent: 12.5, memory_available_mb: 4096 },
      region: this.opts.region ?? 'local',
      ...(this.opts.coordinates ? { coordinates: this.opts.coordinates } : {}),
      relay_url: this.relayUrl,
      ...this.pinField(),
      runtimes: [...this.runtimes.values()],
      connections: this.connections,
      events: this.events,
      acked_commands: this.acked,
      ...(this.recorder ? { recorder: { available: true } } : {}),
    };
  }

  private pinField(): { cert_sha256?: string | null } {
    return this.pin === undefined ? {} : { cert_sha256: this.pin };
  }

  /** One heartbeat; events are sent once. */
  async beat(): Promise<Desired> {
    // A background heartbeat sent before the test changed state must land first.
    this.#busy = true;
    await this.#inflight;
    const res = await this.api.post<Desired>(
      `/api/v1/hosts/${this.id}/heartbeat`,
      this.credential,
      this.body(),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    this.#busy = false;
    this.events = [];
    this.last = res.body;
    return res.body;
  }

  desired(sessionId: string) {
    return this.last?.sessions.find((s) => s.session_id === sessionId)?.desired;
  }

  /** Heartbeats in the background (so the host is not marked lost while a test thinks). */
  keepAlive(intervalMs = 700) {
    this.stopKeepAlive();
    this.#timer = setInterval(() => {
      if (this.#busy) return;
      this.#inflight = fetch(`${this.api.baseUrl}/api/v1/hosts/${this.id}/heartbeat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.credential}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...this.body(), events: [] }),
      })
        .then((res) => res.arrayBuffer())
        .catch(() => {});
    }, intervalMs);
  }

  /** Stops background heartbeats and waits for the one in flight (before the edge stops). */
  async stopKeepAlive() {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inflight;
  }
}
