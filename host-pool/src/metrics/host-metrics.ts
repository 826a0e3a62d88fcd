import { timingSafeEqual } from 'node:crypto';
import { Gauge, Registry } from 'prom-client';
import type { HttpHandler } from '../relay/relay-server.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import { trafficRegistry } from './traffic.ts';

export interface MetricsSources {
  readonly sessions: SessionManager;
  /** Runtimes started ahead and waiting for a session (the warm pool). */
  warmRuntimes(): number;
  warmTarget(): number;
}

/**
 * The agent's `/metrics` in the Prometheus text format (prom-client): its sessions by state,
 * clients by role, the warm pool, and the process-wide relay traffic and encode times
 * (traffic.ts). Asked on the relay's ports with `Authorization: Bearer <HOST_METRICS_TOKEN>`.
 */
export class HostMetrics {
  private readonly registry = new Registry();

  constructor(
    sources: MetricsSources,
    private readonly token: string | undefined,
  ) {
    new Gauge({
      name: 'browserpane_host_sessions',
      help: 'Sessions on this host, by runtime state.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const r of sources.sessions.runtimes()) this.inc({ state: r.state });
      },
    });
    new Gauge({
      name: 'browserpane_host_session_slots',
      help: 'Sessions this host may run at once (HOST_MAX_SESSIONS).',
      registers: [this.registry],
      collect() {
        this.set(sources.sessions.maxSessions);
      },
    });
    new Gauge({
      name: 'browserpane_host_clients',
      help: 'Connected clients (live views, viewers, automation, recorders), by role.',
      labelNames: ['role'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of sources.sessions.connections()) this.inc({ role: c.role });
      },
    });
    new Gauge({
      name: 'browserpane_host_warm_runtimes',
      help: 'Pre-started runtimes waiting for a new session (the warm pool).',
      registers: [this.registry],
      collect() {
        this.set(sources.warmRuntimes());
      },
    });
    new Gauge({
      name: 'browserpane_host_warm_runtimes_target',
      help: 'How many pre-started runtimes this host keeps (HOST_WARM_RUNTIMES).',
      registers: [this.registry],
      collect() {
        this.set(sources.warmTarget());
      },
    });
  }

  /** The text exposition of every metric. */
  async text(): Promise<string> {
    return Registry.merge([trafficRegistry, this.registry]).metrics();
  }

  /** `GET /metrics`, or undefined for any other path. */
  readonly http: (req: Parameters<HttpHandler>[0]) => ReturnType<HttpHandler> | undefined = (
    req,
  ) => {
    if (req.path !== '/metrics') return undefined;
    return this.answer(req.method, req.headers.authorization);
  };

  private async answer(method: string, authorization: string | undefined): ReturnType<HttpHandler> {
    const json = (status: number, code: string, message: string) => ({
      status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify({ error: { code, message } }),
    });
    if (method !== 'GET' && method !== 'HEAD')
      return json(405, 'method_not_allowed', 'use GET /metrics');
    if (!this.token)
      return json(404, 'metrics_disabled', 'metrics are off on this host (set HOST_METRICS_TOKEN)');
    const given = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
    if (!given) return json(401, 'unauthenticated', 'send Authorization: Bearer <metrics token>');
    if (!sameSecret(given, this.token)) return json(403, 'forbidden', 'wrong metrics token');
    return {
      status: 200,
      headers: { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' },
      body: await this.text(),
    };
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
