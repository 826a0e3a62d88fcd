import { expect } from 'vitest';
import type { Api } from './api.ts';
import { serviceToken } from './oidc.ts';
import { PUBLIC_TARGET } from './webhook-cases.ts';

/**
 * Every webhook operation once (for the contract walk): a subscription, a run whose events make
 * deliveries, a stand-in worker's claim and failed attempt, the delivery log, a redelivery, a
 * secret rotation, deletion. Nothing is sent: the stand-in only reports.
 */
export async function webhookOperations(
  api: Api,
  demo: string,
  sessionId: string,
  secrets: { serviceClients: Record<string, string> },
): Promise<void> {
  const worker = await serviceToken(
    api.baseUrl,
    'workflow-worker',
    secrets.serviceClients['workflow-worker'] as string,
  );
  const created = await api.post('/api/v1/workflow-event-subscriptions', demo, {
    name: 'contract',
    target_url: PUBLIC_TARGET,
    event_types: ['workflow_run.*'],
  });
  expect(created.status).toBe(201);
  const sub = `/api/v1/workflow-event-subscriptions/${created.body.id}`;
  await api.get('/api/v1/workflow-event-subscriptions', demo);
  await api.get(sub, demo);
  const wf = (await api.post('/api/v1/workflows', demo, { name: 'hooks' })).body.id as string;
  await api.post(`/api/v1/workflows/${wf}/versions`, demo, {
    version: 'v1',
    executor: 'playwright',
    entrypoint: 'main.mjs',
    source: { kind: 'inline', files: { 'main.mjs': 'export default async () => 1;\n' } },
  });
  const run = await api.post('/api/v1/workflow-runs', demo, {
    workflow_id: wf,
    version: 'v1',
    session: { existing_session_id: sessionId },
  });
  await api.post(`/api/v1/workflow-runs/${run.body.id}/cancel`, demo);
  const list = await api.get(`${sub}/deliveries`, demo);
  const delivery = list.body.deliveries[0].id as string;
  const claimed = await api.post(`/api/v1/workflow-event-deliveries/${delivery}/claim`, worker, {
    worker_id: 'contract',
  });
  expect(claimed.body.headers['webhook-signature']).toMatch(/^v1,/);
  const reported = await api.post(
    `/api/v1/workflow-event-deliveries/${delivery}/attempts`,
    worker,
    {
      attempt_number: claimed.body.attempt_number,
      response_status: 503,
      error: null,
      duration_ms: 12,
    },
  );
  expect(reported.body).toMatchObject({ state: 'pending', attempt_count: 1 });
  await api.get(`${sub}/deliveries?state=pending&limit=5`, demo);
  await api.post(`${sub}/deliveries/${delivery}/redeliver`, demo);
  await api.post(`${sub}/rotate-secret`, demo, { grace_period_sec: 60 });
  await api.delete(sub, demo);
}
