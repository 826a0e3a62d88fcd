/**
 * Workflow event subscriptions: owner-scoped signed webhooks for run lifecycle events (Standard
 * Webhooks), their delivery log, manual redelivery and secret rotation; and the two routes the
 * workflow worker uses to send a delivery (the edge signs, the worker connects).
 */
import { route } from '../route.ts';
import {
  ClaimDeliveryRequest,
  ClaimedDelivery,
  CreateSubscriptionRequest,
  DeliveryAttemptReport,
  DeliveryIdParams,
  DeliveryListQuery,
  DeliveryParams,
  RotateSecretRequest,
  SubscriptionIdParams,
  WorkflowEventDelivery,
  WorkflowEventDeliveryList,
  WorkflowEventSubscription,
  WorkflowEventSubscriptionList,
  WorkflowEventSubscriptionWithSecret,
} from '../schemas/webhooks.ts';
import { BEARER_ERRORS as auth, BODY_ERRORS as body } from './shared-errors.ts';

const tag = 'workflow event subscriptions';
const one = ['invalid_id', ...auth, 'subscription_not_found'] as const;

export const createWorkflowEventSubscription = route({
  operationId: 'createWorkflowEventSubscription',
  method: 'post',
  path: '/api/v1/workflow-event-subscriptions',
  tag,
  summary: 'Subscribe a URL to run lifecycle events',
  description:
    "Every run event of the caller's runs whose type matches `event_types` (and whose workflow matches `workflow_id`, when set) is posted to `target_url` per the Standard Webhooks spec: headers `webhook-id` (the delivery id, the same on every attempt), `webhook-timestamp` (seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`), body `{type, timestamp, data}`. Deliveries are written in the same transaction as the event (an outbox) and sent by a workflow worker with exponential backoff up to `WEBHOOK_MAX_ATTEMPTS`, then `failed`. The answer carries `signing_secret` this once.",
  auth: 'bearer',
  body: { schema: CreateSubscriptionRequest, required: true },
  responses: {
    201: {
      description: 'The subscription and its signing secret (never answered again).',
      schema: WorkflowEventSubscriptionWithSecret,
    },
  },
  errors: [...auth, ...body, 'webhook_target_forbidden', 'workflow_not_found'],
});

export const listWorkflowEventSubscriptions = route({
  operationId: 'listWorkflowEventSubscriptions',
  method: 'get',
  path: '/api/v1/workflow-event-subscriptions',
  tag,
  summary: "The caller's subscriptions",
  description: 'Newest first.',
  auth: 'bearer',
  responses: { 200: { description: 'The subscriptions.', schema: WorkflowEventSubscriptionList } },
  errors: [...auth, 'validation_failed'],
});

export const getWorkflowEventSubscription = route({
  operationId: 'getWorkflowEventSubscription',
  method: 'get',
  path: '/api/v1/workflow-event-subscriptions/{subscription_id}',
  tag,
  summary: 'A subscription',
  auth: 'bearer',
  params: SubscriptionIdParams,
  responses: { 200: { description: 'The subscription.', schema: WorkflowEventSubscription } },
  errors: [...one],
});

export const deleteWorkflowEventSubscription = route({
  operationId: 'deleteWorkflowEventSubscription',
  method: 'delete',
  path: '/api/v1/workflow-event-subscriptions/{subscription_id}',
  tag,
  summary: 'Delete a subscription',
  description: 'Its deliveries go with it; attempts not yet made are not made.',
  auth: 'bearer',
  params: SubscriptionIdParams,
  responses: {
    200: { description: 'The deleted subscription.', schema: WorkflowEventSubscription },
  },
  errors: [...one],
});

export const rotateWorkflowEventSubscriptionSecret = route({
  operationId: 'rotateWorkflowEventSubscriptionSecret',
  method: 'post',
  path: '/api/v1/workflow-event-subscriptions/{subscription_id}/rotate-secret',
  tag,
  summary: 'Rotate the signing secret',
  description:
    'A new secret (made by the edge unless given) signs from now on; during `grace_period_sec` the previous one signs too (`webhook-signature` carries both, space-separated, as Standard Webhooks allows), so receivers can switch without losing a delivery. The answer carries the new secret this once.',
  auth: 'bearer',
  params: SubscriptionIdParams,
  body: { schema: RotateSecretRequest, required: false },
  responses: {
    200: {
      description: 'The subscription and its new signing secret.',
      schema: WorkflowEventSubscriptionWithSecret,
    },
  },
  errors: [...one, ...body],
});

export const listWorkflowEventDeliveries = route({
  operationId: 'listWorkflowEventDeliveries',
  method: 'get',
  path: '/api/v1/workflow-event-subscriptions/{subscription_id}/deliveries',
  tag,
  summary: "A subscription's deliveries, with every attempt",
  description: 'Newest first.',
  auth: 'bearer',
  params: SubscriptionIdParams,
  query: DeliveryListQuery,
  responses: { 200: { description: 'The deliveries.', schema: WorkflowEventDeliveryList } },
  errors: [...one, 'validation_failed'],
});

export const redeliverWorkflowEventDelivery = route({
  operationId: 'redeliverWorkflowEventDelivery',
  method: 'post',
  path: '/api/v1/workflow-event-subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver',
  tag,
  summary: 'Send a delivery again',
  description:
    'The delivery goes back to `pending` for a new series of up to `WEBHOOK_MAX_ATTEMPTS` attempts (the same `webhook-id` and body, a fresh timestamp and signature). 409 `delivery_in_flight` while an attempt is under way (an attempt older than `WEBHOOK_TIMEOUT_MS` plus a minute counts as lost: its worker died).',
  auth: 'bearer',
  params: DeliveryParams,
  responses: { 200: { description: 'The delivery, pending.', schema: WorkflowEventDelivery } },
  errors: [...one, 'delivery_not_found', 'delivery_in_flight'],
});

// --- the worker's side ---------------------------------------------------------------------------

const worker = ['invalid_id', ...auth, 'workflow_worker_required', 'delivery_not_found'] as const;

export const claimWorkflowEventDelivery = route({
  operationId: 'claimWorkflowEventDelivery',
  method: 'post',
  path: '/api/v1/workflow-event-deliveries/{delivery_id}/claim',
  tag: 'workflow worker',
  summary: 'Take a delivery attempt',
  description:
    'For workflow workers. The delivery becomes `delivering` under a new attempt number; the answer is the request to send, already signed (the signing secrets never leave the edge). 409 `delivery_not_pending` when there is nothing to send (delivered, failed, or not due yet).',
  auth: 'bearer',
  params: DeliveryIdParams,
  body: { schema: ClaimDeliveryRequest, required: true },
  responses: { 200: { description: 'What to send.', schema: ClaimedDelivery } },
  errors: [...worker, ...body, 'delivery_not_pending'],
});

export const reportWorkflowEventDeliveryAttempt = route({
  operationId: 'reportWorkflowEventDeliveryAttempt',
  method: 'post',
  path: '/api/v1/workflow-event-deliveries/{delivery_id}/attempts',
  tag: 'workflow worker',
  summary: 'Record how an attempt went',
  description:
    'For workflow workers. A 2xx answer makes the delivery `delivered`; anything else schedules the next attempt (exponential backoff from `WEBHOOK_BACKOFF_BASE_MS`, at most `WEBHOOK_BACKOFF_MAX_MS`) or, at the limit, `failed`. 409 `stale_attempt` for an attempt that is not the current one.',
  auth: 'bearer',
  params: DeliveryIdParams,
  body: { schema: DeliveryAttemptReport, required: true },
  responses: { 200: { description: 'The delivery.', schema: WorkflowEventDelivery } },
  errors: [...worker, ...body, 'stale_attempt'],
});
