import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The edge's metrics (prom-client, which runs on workerd with `nodejs_compat`; the bundler maps
 * its bare Node imports to `node:*`, as wrangler does). Kept per isolate: on Cloudflare each
 * isolate counts what it served (Prometheus sums the scrapes it gets); on self-hosted workerd the
 * process is one isolate. The queue depth is read from the database at each scrape.
 */
export const edgeRegistry = new Registry();

const requests = new Counter({
  name: 'browserpane_edge_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [edgeRegistry],
});
const latency = new Histogram({
  name: 'browserpane_edge_request_duration_seconds',
  help: 'Time to answer an HTTP request, by method and route pattern.',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [edgeRegistry],
});
const tickets = new Counter({
  name: 'browserpane_edge_tickets_minted_total',
  help: 'Connect tickets signed, by role.',
  labelNames: ['role'] as const,
  registers: [edgeRegistry],
});
const placements = new Counter({
  name: 'browserpane_edge_placements_total',
  help: 'Sessions placed on a host by the scheduler.',
  registers: [edgeRegistry],
});
export const queueDepth = new Gauge({
  name: 'browserpane_edge_queue_depth',
  help: 'Sessions waiting for a host (queued, or lost with their host and waiting again).',
  registers: [edgeRegistry],
});

export function countRequest(method: string, route: string, status: number, ms: number): void {
  requests.inc({ method, route, status: String(status) });
  latency.observe({ method, route }, ms / 1000);
}

export function countTicket(role: string): void {
  tickets.inc({ role });
}

export function countPlacements(n: number): void {
  if (n > 0) placements.inc(n);
}
