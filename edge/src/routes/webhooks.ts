import { routes } from '@browserpane/api/contract';
import type { Hono } from 'hono';
import { config } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { implement } from '../http/route.ts';
import {
  claimDelivery,
  createSubscription,
  deleteSubscription,
  listDeliveries,
  listSubscriptions,
  loadSubscription,
  redeliver,
  reportAttempt,
  rotateSecret,
  subscriptionResource,
} from '../services/webhooks/index.ts';
import { requireWorkflowWorker } from '../services/workflows/index.ts';

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * Workflow event subscriptions (owner-scoped: another owner's is a 404) and the worker's two
 * delivery routes (workflow workers only).
 */
export function webhookRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.createWorkflowEventSubscription, async (c, { body }) => {
    const { row, secret } = await createSubscription(
      c.var.db(),
      c.var.principal,
      body,
      config(c.env),
      c.env,
      new Date(),
    );
    return {
      status: 201,
      headers: { ...NO_STORE, location: `/api/v1/workflow-event-subscriptions/${row.id}` },
      body: { ...subscriptionResource(row), signing_secret: secret },
    };
  });

  implement(app, routes.listWorkflowEventSubscriptions, async (c) => {
    const rows = await listSubscriptions(c.var.db(), c.var.principal);
    return { status: 200, body: { subscriptions: rows.map(subscriptionResource) } };
  });

  implement(app, routes.getWorkflowEventSubscription, async (c, { params }) => {
    const row = await loadSubscription(c.var.db(), params.subscription_id, c.var.principal);
    return { status: 200, body: subscriptionResource(row) };
  });

  implement(app, routes.deleteWorkflowEventSubscription, async (c, { params }) => {
    const row = await deleteSubscription(c.var.db(), params.subscription_id, c.var.principal);
    return { status: 200, body: subscriptionResource(row) };
  });

  implement(app, routes.rotateWorkflowEventSubscriptionSecret, async (c, { params, body }) => {
    const db = c.var.db();
    const current = await loadSubscription(db, params.subscription_id, c.var.principal);
    const { row, secret } = await rotateSecret(
      db,
      current,
      body ?? {},
      config(c.env),
      c.env,
      new Date(),
    );
    return {
      status: 200,
      headers: NO_STORE,
      body: { ...subscriptionResource(row), signing_secret: secret },
    };
  });

  implement(app, routes.listWorkflowEventDeliveries, async (c, { params, query }) => {
    const db = c.var.db();
    const row = await loadSubscription(db, params.subscription_id, c.var.principal);
    return {
      status: 200,
      body: { deliveries: await listDeliveries(db, row.id, query, config(c.env)) },
    };
  });

  implement(app, routes.redeliverWorkflowEventDelivery, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadSubscription(db, params.subscription_id, c.var.principal);
    return {
      status: 200,
      body: await redeliver(db, row.id, params.delivery_id, config(c.env), new Date()),
    };
  });

  implement(app, routes.claimWorkflowEventDelivery, async (c, { params }) => {
    requireWorkflowWorker(c);
    const claimed = await claimDelivery(
      c.var.db(),
      params.delivery_id,
      config(c.env),
      c.env,
      new Date(),
    );
    return { status: 200, headers: NO_STORE, body: claimed };
  });

  implement(app, routes.reportWorkflowEventDeliveryAttempt, async (c, { params, body }) => {
    requireWorkflowWorker(c);
    return {
      status: 200,
      body: await reportAttempt(c.var.db(), params.delivery_id, body, config(c.env), new Date()),
    };
  });
}
