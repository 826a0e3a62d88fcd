import { FILE_ID } from './session-file-cases.ts';

/** A public-looking target: the edge judges names by their form (the worker resolves them). */
export const PUBLIC_TARGET = 'https://hooks.example.com/browserpane';

/**
 * Malformed requests to the workflow event subscription routes, in the bad-input table's shape:
 * `sub` is an existing subscription's path.
 */
export function webhookCases(sub: string) {
  const create = (name: string, body: Record<string, unknown>, code: string) => ({
    name: `create subscription: ${name}`,
    method: 'POST',
    path: '/api/v1/workflow-event-subscriptions',
    token: 'user',
    body: { name: 'hook', target_url: PUBLIC_TARGET, event_types: ['*'], ...body },
    code,
  });
  const worker = '/api/v1/workflow-event-deliveries';
  return [
    create('no event types', { event_types: [] }, 'validation_failed'),
    create('event type of another family', { event_types: ['run.done'] }, 'validation_failed'),
    create('event types not strings', { event_types: [1] }, 'validation_failed'),
    create('target not a URL', { target_url: 'hooks' }, 'webhook_target_forbidden'),
    create(
      'target of another scheme',
      { target_url: 'file:///etc/passwd' },
      'webhook_target_forbidden',
    ),
    create(
      'target with credentials',
      { target_url: 'https://u:p@example.com/' },
      'webhook_target_forbidden',
    ),
    create('loopback target', { target_url: 'http://127.0.0.1:8787/' }, 'webhook_target_forbidden'),
    create(
      'metadata target',
      { target_url: 'http://169.254.169.254/' },
      'webhook_target_forbidden',
    ),
    create('unique-local target', { target_url: 'http://[fd00::1]/' }, 'webhook_target_forbidden'),
    create(
      'target too long',
      { target_url: `${PUBLIC_TARGET}/${'x'.repeat(3000)}` },
      'validation_failed',
    ),
    create('short secret', { signing_secret: 'abc' }, 'validation_failed'),
    create('secret with spaces', { signing_secret: 'a secret with spaces' }, 'validation_failed'),
    create('unknown workflow', { workflow_id: FILE_ID }, 'workflow_not_found'),
    create('workflow id not a UUID', { workflow_id: 'w1' }, 'validation_failed'),
    {
      name: 'rotate secret: negative grace',
      method: 'POST',
      path: `${sub}/rotate-secret`,
      token: 'user',
      body: { grace_period_sec: -1 },
      code: 'validation_failed',
    },
    {
      name: 'rotate secret: grace too long',
      method: 'POST',
      path: `${sub}/rotate-secret`,
      token: 'user',
      body: { grace_period_sec: 10_000_000 },
      code: 'validation_failed',
    },
    {
      name: 'deliveries: unknown state',
      method: 'GET',
      path: `${sub}/deliveries?state=lost`,
      token: 'user',
      code: 'validation_failed',
    },
    {
      name: 'deliveries: limit 0',
      method: 'GET',
      path: `${sub}/deliveries?limit=0`,
      token: 'user',
      code: 'validation_failed',
    },
    {
      name: 'redeliver an unknown delivery',
      method: 'POST',
      path: `${sub}/deliveries/${FILE_ID}/redeliver`,
      token: 'user',
      code: 'delivery_not_found',
    },
    {
      name: 'claim an unknown delivery',
      method: 'POST',
      path: `${worker}/${FILE_ID}/claim`,
      token: 'worker',
      body: { worker_id: 'w' },
      code: 'delivery_not_found',
    },
    {
      name: 'claim a delivery as a user',
      method: 'POST',
      path: `${worker}/${FILE_ID}/claim`,
      token: 'user',
      body: { worker_id: 'w' },
      code: 'workflow_worker_required',
    },
    {
      name: 'report an impossible status',
      method: 'POST',
      path: `${worker}/${FILE_ID}/attempts`,
      token: 'worker',
      body: { attempt_number: 1, response_status: 42, error: null, duration_ms: 1 },
      code: 'validation_failed',
    },
    {
      name: 'report attempt 0',
      method: 'POST',
      path: `${worker}/${FILE_ID}/attempts`,
      token: 'worker',
      body: { attempt_number: 0, response_status: 200, error: null, duration_ms: 1 },
      code: 'validation_failed',
    },
    {
      name: 'report an attempt of an unknown delivery',
      method: 'POST',
      path: `${worker}/${FILE_ID}/attempts`,
      token: 'worker',
      body: { attempt_number: 1, response_status: 200, error: null, duration_ms: 1 },
      code: 'delivery_not_found',
    },
  ];
}

/** JSON routes for the table's generic malformed-body cases. */
export function webhookJsonRoutes(sub: string) {
  const worker = `/api/v1/workflow-event-deliveries/${FILE_ID}`;
  return [
    {
      path: '/api/v1/workflow-event-subscriptions',
      token: 'user',
      wrongTypes: { name: 'x', target_url: PUBLIC_TARGET, event_types: 'workflow_run.failed' },
      unknownField: { name: 'x', target_url: PUBLIC_TARGET, event_types: ['*'], retries: 3 },
    },
    {
      path: `${sub}/rotate-secret`,
      token: 'user',
      wrongTypes: { grace_period_sec: '60' },
      unknownField: { grace_period_sec: 60, colour: 'red' },
    },
    {
      path: `${worker}/claim`,
      token: 'worker',
      wrongTypes: { worker_id: 5 },
      unknownField: { worker_id: 'w', x: 1 },
    },
    {
      path: `${worker}/attempts`,
      token: 'worker',
      wrongTypes: { attempt_number: '1', response_status: 200, error: null, duration_ms: 1 },
      unknownField: { attempt_number: 1, response_status: 200, error: null, duration_ms: 1, x: 1 },
    },
  ];
}

/** Parameterised webhook routes for the bad-id sweep (`{id}` is replaced). */
export function webhookIdTemplates(subscriptionId: string): [string, string][] {
  const s = '/api/v1/workflow-event-subscriptions';
  return [
    ['GET', `${s}/{id}`],
    ['DELETE', `${s}/{id}`],
    ['GET', `${s}/{id}/deliveries`],
    ['POST', `${s}/{id}/rotate-secret`],
    ['POST', `${s}/{id}/deliveries/${FILE_ID}/redeliver`],
    ['POST', `${s}/${subscriptionId}/deliveries/{id}/redeliver`],
    ['POST', '/api/v1/workflow-event-deliveries/{id}/claim'],
    ['POST', '/api/v1/workflow-event-deliveries/{id}/attempts'],
  ];
}
