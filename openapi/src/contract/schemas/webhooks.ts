/**
 * Workflow event subscriptions (signed webhooks) and their deliveries: the reference's v1 members
 * (digest §9) and ours beside them (a server-made `whsec_` secret shown once, secret rotation with a
 * grace period, a workflow filter, each attempt's duration and next attempt, manual redelivery).
 */
import { integer, queryInteger, text, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';

export const SubscriptionIdParams = z.strictObject({ subscription_id: uuid() });
export const DeliveryParams = z.strictObject({ subscription_id: uuid(), delivery_id: uuid() });
export const DeliveryIdParams = z.strictObject({ delivery_id: uuid() });

/** `workflow_run.<what>` (the run event types, §8.8), or `*` / `workflow_run.*` for all of them. */
const EVENT_TYPE = /^(\*|workflow_run\.(\*|[a-z][a-z0-9_]{0,63}))$/;

const SECRET = text({
  min: 16,
  max: 200,
  pattern: /^[\x21-\x7e]+$/,
  hint: 'printable ASCII without spaces',
}).meta({
  description:
    'Optional here (the reference requires it): absent, the edge makes a `whsec_` secret and answers it once. A `whsec_<base64>` secret signs with its decoded bytes (Standard Webhooks libraries expect this form); any other string signs with its UTF-8 bytes.',
});

const secretSchemaNote =
  'Stored encrypted (AES-256-GCM under a key derived from the edge’s `CREDENTIALS_KEK`); never answered again after creation or rotation.';

export const CreateSubscriptionRequest = named(
  'CreateWorkflowEventSubscriptionRequest',
  z.strictObject({
    name: text({ min: 1, max: 200 }),
    target_url: text({ min: 1, max: 2048 }).meta({
      description:
        'An `http:` or `https:` URL without credentials. Loopback, link-local, private and unique-local targets are refused (`webhook_target_forbidden`) unless the operator set `WEBHOOK_ALLOW_PRIVATE_TARGETS`; the worker checks the resolved addresses again at every delivery and connects only to an address it checked.',
    }),
    event_types: z
      .array(
        text({
          min: 1,
          max: 80,
          pattern: EVENT_TYPE,
          hint: '`workflow_run.<event>` (e.g. `workflow_run.succeeded`), `workflow_run.*` or `*`',
        }),
      )
      .min(1, { error: 'must list at least one event type' })
      .max(64, { error: 'must list at most 64 event types' }),
    signing_secret: SECRET.optional(),
    workflow_id: uuid()
      .nullable()
      .optional()
      .meta({ description: "Ours: only this workflow's runs (one of the caller's)." }),
  }),
);

export const RotateSecretRequest = named(
  'RotateWorkflowEventSubscriptionSecretRequest',
  z.strictObject({
    grace_period_sec: integer(0, 604_800).optional().meta({
      description:
        'How long the previous secret keeps signing beside the new one (deliveries carry both signatures). Default: the edge’s `WEBHOOK_SECRET_GRACE_SEC` (24 h).',
    }),
    signing_secret: SECRET.optional(),
  }),
);

export const WorkflowEventSubscription = named(
  'WorkflowEventSubscription',
  z.object({
    id: uuid(),
    name: z.string(),
    target_url: z.string(),
    event_types: z.array(z.string()),
    has_signing_secret: z.boolean(),
    deliveries_path: z.string(),
    workflow_id: uuid().nullable().meta({ description: 'Ours: the workflow filter, if any.' }),
    secret_rotated_at: timestamp().nullable().meta({ description: 'Ours: the last rotation.' }),
    previous_secret_expires_at: timestamp().nullable().meta({
      description: 'Ours: until when the previous secret signs too (null: none does).',
    }),
    created_at: timestamp(),
    updated_at: timestamp(),
  }),
);

export const WorkflowEventSubscriptionWithSecret = named(
  'WorkflowEventSubscriptionWithSecret',
  WorkflowEventSubscription.extend({
    signing_secret: z.string().meta({
      description: `The signing secret, answered only here (creation and rotation). ${secretSchemaNote}`,
    }),
  }),
);

export const WorkflowEventSubscriptionList = named(
  'WorkflowEventSubscriptionList',
  z.object({ subscriptions: z.array(WorkflowEventSubscription) }),
);

export const DELIVERY_STATES = ['pending', 'delivering', 'delivered', 'failed'] as const;

export const WorkflowEventDeliveryAttempt = named(
  'WorkflowEventDeliveryAttempt',
  z.object({
    id: uuid(),
    delivery_id: uuid(),
    attempt_number: z.int().min(0),
    response_status: z.int().min(100).max(599).nullable(),
    error: z.string().nullable(),
    duration_ms: z.int().min(0).nullable().meta({ description: 'Ours.' }),
    next_attempt_at: timestamp().nullable().meta({
      description: 'Ours: when the next attempt was scheduled after this one (null: none).',
    }),
    created_at: timestamp(),
  }),
);

export const WorkflowEventDelivery = named(
  'WorkflowEventDelivery',
  z.object({
    id: uuid().meta({ description: 'Also the `webhook-id` header (the same on every attempt).' }),
    subscription_id: uuid(),
    run_id: uuid(),
    event_id: uuid(),
    event_type: z.string(),
    state: z.enum(DELIVERY_STATES).meta({
      description:
        '`pending` (waiting for its first or next attempt), `delivering` (an attempt in flight), `delivered`, `failed` (the dead state: the retry limit was reached; a manual redelivery starts a new series).',
    }),
    attempt_count: z.int().min(0),
    attempt_limit: z.int().min(0).meta({
      description:
        'Ours: attempts allowed before `failed` (grows by `WEBHOOK_MAX_ATTEMPTS` on redelivery).',
    }),
    next_attempt_at: timestamp().nullable(),
    last_attempt_at: timestamp().nullable(),
    delivered_at: timestamp().nullable(),
    last_response_status: z.int().min(100).max(599).nullable(),
    last_error: z.string().nullable(),
    payload: z.unknown().meta({ description: 'The JSON body that is (or was) posted.' }),
    attempts: z.array(WorkflowEventDeliveryAttempt),
    created_at: timestamp(),
    updated_at: timestamp(),
  }),
);

export const WorkflowEventDeliveryList = named(
  'WorkflowEventDeliveryList',
  z.object({ deliveries: z.array(WorkflowEventDelivery) }),
);

export const DeliveryListQuery = z.strictObject({
  state: z.enum(DELIVERY_STATES).optional(),
  limit: queryInteger(1, 500)
    .optional()
    .meta({ description: 'At most this many, newest first (default 100).' }),
});

// --- the worker's side ---------------------------------------------------------------------------

export const ClaimDeliveryRequest = named(
  'ClaimWorkflowEventDeliveryRequest',
  z.strictObject({ worker_id: text({ min: 1, max: 200 }) }),
);

export const ClaimedDelivery = named(
  'ClaimedWorkflowEventDelivery',
  z.object({
    delivery_id: uuid(),
    attempt_number: z.int().min(1),
    target_url: z.string(),
    headers: z.record(z.string(), z.string()).meta({
      description:
        '`webhook-id`, `webhook-timestamp`, `webhook-signature` (one `v1,<base64>` per signing secret), `content-type`, `user-agent`: sent as they are.',
    }),
    body: z.string().meta({ description: 'The exact bytes (UTF-8) the signature covers.' }),
    timeout_ms: z.int().min(1),
    allow_private_targets: z.boolean().meta({
      description: "The edge's `WEBHOOK_ALLOW_PRIVATE_TARGETS`: the worker's SSRF guard obeys it.",
    }),
  }),
);

export const DeliveryAttemptReport = named(
  'WorkflowEventDeliveryAttemptReport',
  z.strictObject({
    attempt_number: integer(1, 1_000_000),
    response_status: integer(100, 599).nullable(),
    error: text({ max: 2000 }).nullable(),
    duration_ms: integer(0, 3_600_000),
  }),
);

export type WorkflowEventSubscription = z.output<typeof WorkflowEventSubscription>;
export type WorkflowEventDelivery = z.output<typeof WorkflowEventDelivery>;
export type ClaimedDelivery = z.output<typeof ClaimedDelivery>;
