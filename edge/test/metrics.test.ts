/**
 * `GET /metrics` on the edge (under workerd): Prometheus text for the metrics token or the
 * operator token; requests by route pattern, tickets, placements and the queue depth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

const METRICS_TOKEN = 'bpm_metrics-token-for-tests';

/** The value of one series (`name{labels} value`) in a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('edge /metrics', () => {
  let stack: Stack;
  let demo: string;
  const api = () => stack.api;

  beforeAll(async () => {
    stack = await startStack('pglite', { vars: { METRICS_TOKEN } });
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses anonymous callers and wrong tokens (401, the one error shape)', async () => {
    const anonymous = await api().get('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(anonymous.body).toMatchObject({ code: 'unauthorized' });
    expect(anonymous.text).not.toContain('browserpane_edge');
    for (const token of ['bpm_wrong', stack.edge.secrets.hostEnrollmentToken, demo]) {
      const res = await api().get('/metrics', token);
      expect(res.status, `token ${token.slice(0, 4)}…`).toBe(401);
      expect(res.text).not.toContain('browserpane_edge');
    }
  });

  it('counts requests by route, tickets, placements and the queue', async () => {
    const host = new HostDriver(api(), 'metrics-host', { maxSessions: 1 });
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
    const first = (await api().post('/api/v1/sessions', demo, {})).body;
    expect(first).toMatchObject({ state: 'starting', host_id: host.id });
    host.run(first.id);
    await host.beat();
    const second = (await api().post('/api/v1/sessions', demo, {})).body;
    expect(second.state).toBe('queued');
    const ticket = await api().post(`/api/v1/sessions/${first.id}/access-tokens`, demo, {
      role: 'owner',
    });
    expect(ticket.status).toBe(200);

    const res = await api().get('/metrics', METRICS_TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(text).toContain('# TYPE browserpane_edge_requests_total counter');
    expect(
      sample(
        text,
        'browserpane_edge_requests_total{method="POST",route="/api/v1/sessions",status="201"}',
      ),
    ).toBe(2);
    expect(
      sample(
        text,
        'browserpane_edge_request_duration_seconds_count{method="POST",route="/api/v1/sessions"}',
      ),
    ).toBe(2);
    // ids never become labels
    expect(text).not.toContain(first.id);
    expect(sample(text, 'browserpane_edge_tickets_minted_total{role="owner"}')).toBe(1);
    expect(sample(text, 'browserpane_edge_placements_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'browserpane_edge_queue_depth')).toBe(1);

    // the operator token opens it too
    const operator = await api().get('/metrics', stack.edge.secrets.operatorToken);
    expect(operator.status).toBe(200);
    expect(operator.text).toContain('browserpane_edge_queue_depth 1');
  });
});
