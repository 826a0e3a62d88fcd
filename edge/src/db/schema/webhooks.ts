import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps, tstz } from './columns.ts';
import { workflowDefinitions, workflowRuns } from './workflows.ts';

/**
 * An owner's webhook: run events of the types it lists (and of one workflow, when set) are
 * delivered to its URL, signed with its secret. Secrets are sealed (AES-256-GCM under a key derived
 * from `CREDENTIALS_KEK`, the subscription id as associated data), never stored in the clear.
 */
export const workflowEventSubscriptions = pgTable(
  'workflow_event_subscriptions',
  {
    id: uuid().primaryKey(),
    ownerId: text().notNull(),
    ownerIssuer: text().notNull(),
    name: text().notNull(),
    targetUrl: text().notNull(),
    eventTypes: jsonb().$type<string[]>().notNull(),
    workflowId: uuid().references(() => workflowDefinitions.id, { onDelete: 'cascade' }),
    secretSealed: text().notNull(),
    /** The secret before the last rotation: it signs too until `previousSecretExpiresAt`. */
    previousSecretSealed: text(),
    previousSecretExpiresAt: tstz(),
    secretRotatedAt: tstz(),
    ...timestamps,
  },
  (t) => [index('workflow_event_subscriptions_owner_idx').on(t.ownerId, t.id)],
);

export type WorkflowEventSubscriptionRow = typeof workflowEventSubscriptions.$inferSelect;

export const DELIVERY_STATES = ['pending', 'delivering', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * The outbox: one row per (subscription, run event), written in the transaction that records the
 * event; a `webhook_delivery` job (same transaction) makes a worker send it.
 */
export const workflowEventDeliveries = pgTable(
  'workflow_event_deliveries',
  {
    id: uuid().primaryKey(),
    subscriptionId: uuid()
      .notNull()
      .references(() => workflowEventSubscriptions.id, { onDelete: 'cascade' }),
    ownerId: text().notNull(),
    runId: uuid()
      .notNull()
      .references(() => workflowRuns.id, { onDelete: 'cascade' }),
    eventId: uuid().notNull(),
    eventType: text().notNull(),
    state: text().$type<DeliveryState>().notNull(),
    attemptCount: integer().notNull().default(0),
    /** `attemptCount` when the current series began (0; a redelivery starts a new series). */
    attemptSeriesStart: integer().notNull().default(0),
    nextAttemptAt: tstz(),
    lastAttemptAt: tstz(),
    deliveredAt: tstz(),
    lastResponseStatus: integer(),
    lastError: text(),
    payload: jsonb().notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('workflow_event_deliveries_event_idx').on(t.subscriptionId, t.eventId),
    index('workflow_event_deliveries_subscription_idx').on(t.subscriptionId, t.id),
    check(
      'workflow_event_deliveries_state_check',
      sql`${t.state} in ('pending', 'delivering', 'delivered', 'failed')`,
    ),
  ],
);

export type WorkflowEventDeliveryRow = typeof workflowEventDeliveries.$inferSelect;

/** Every attempt of a delivery, in order. */
export const workflowEventDeliveryAttempts = pgTable(
  'workflow_event_delivery_attempts',
  {
    id: uuid().primaryKey(),
    deliveryId: uuid()
      .notNull()
      .references(() => workflowEventDeliveries.id, { onDelete: 'cascade' }),
    attemptNumber: integer().notNull(),
    responseStatus: integer(),
    error: text(),
    durationMs: integer(),
    nextAttemptAt: tstz(),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex('workflow_event_delivery_attempts_idx').on(t.deliveryId, t.attemptNumber)],
);

export type WorkflowEventDeliveryAttemptRow = typeof workflowEventDeliveryAttempts.$inferSelect;
