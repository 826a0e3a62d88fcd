/**
 * The transactional outbox: in the transaction that records a run's events, one delivery row per
 * matching subscription and a `webhook_delivery` job for each. Nothing is sent here; a workflow
 * worker takes the job (`claimDelivery`) once the transaction commits, and never before.
 */
import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  type WorkflowRunRow,
  workflowEventDeliveries,
  workflowEventSubscriptions,
} from '../../db/schema/index.ts';
import { uuidv7 } from '../crypto.ts';
import { addJob, JOBS } from '../workflows/job-queue.ts';

export interface OutboxEvent {
  id: string;
  eventType: string;
  message: string;
  data: unknown;
  createdAt: Date;
}

/** Whether a subscription's `event_types` take `eventType`. */
export function matches(eventTypes: readonly string[], eventType: string): boolean {
  return eventTypes.some(
    (t) =>
      t === '*' ||
      t === eventType ||
      (t === 'workflow_run.*' && eventType.startsWith('workflow_run.')),
  );
}

/** The body posted for `event` (Standard Webhooks' `{type, timestamp, data}`). */
export function payloadOf(run: WorkflowRunRow, event: OutboxEvent): Record<string, unknown> {
  return {
    type: event.eventType,
    timestamp: event.createdAt.toISOString(),
    data: {
      event_id: event.id,
      event_type: event.eventType,
      message: event.message,
      data: event.data ?? null,
      created_at: event.createdAt.toISOString(),
      run: {
        id: run.id,
        workflow_id: run.workflowId,
        version: run.version,
        session_id: run.sessionId,
        source_system: run.sourceSystem,
        source_reference: run.sourceReference,
        path: `/api/v1/workflow-runs/${run.id}`,
      },
    },
  };
}

export async function enqueueDeliveries(
  tx: Queryable,
  run: WorkflowRunRow,
  events: readonly OutboxEvent[],
  now: Date,
): Promise<void> {
  if (events.length === 0) return;
  const subscriptions = await tx
    .select({
      id: workflowEventSubscriptions.id,
      eventTypes: workflowEventSubscriptions.eventTypes,
      workflowId: workflowEventSubscriptions.workflowId,
    })
    .from(workflowEventSubscriptions)
    .where(eq(workflowEventSubscriptions.ownerId, run.ownerId));
  const rows: (typeof workflowEventDeliveries.$inferInsert)[] = [];
  for (const event of events)
    for (const s of subscriptions) {
      if (s.workflowId && s.workflowId !== run.workflowId) continue;
      if (!matches(s.eventTypes, event.eventType)) continue;
      rows.push({
        id: uuidv7(now.getTime()),
        subscriptionId: s.id,
        ownerId: run.ownerId,
        runId: run.id,
        eventId: event.id,
        eventType: event.eventType,
        state: 'pending',
        nextAttemptAt: now,
        payload: payloadOf(run, event),
        createdAt: now,
        updatedAt: now,
      });
    }
  if (rows.length === 0) return;
  await tx.insert(workflowEventDeliveries).values(rows);
  for (const row of rows) await scheduleDelivery(tx, row.id as string, now);
}

/** One job per delivery (its key replaces a job not yet taken), due at `runAt`. */
export function scheduleDelivery(tx: Queryable, deliveryId: string, runAt: Date) {
  return addJob(
    tx,
    JOBS.webhook,
    { delivery_id: deliveryId },
    { jobKey: `webhook_delivery:${deliveryId}`, runAt, maxAttempts: 25 },
  );
}
