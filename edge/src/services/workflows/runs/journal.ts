/** The run's append-only history: events (the lifecycle, and the outbox of deliveries) and logs. */
import type { RunEvent, RunLogLine } from '@browserpane/api/contract';
import { and, asc, eq, gt } from 'drizzle-orm';
import type { z } from 'zod';
import type { Queryable } from '../../../db/client.ts';
import {
  type WorkflowRunRow,
  workflowRunEvents,
  workflowRunLogs,
} from '../../../db/schema/index.ts';
import { uuidv7 } from '../../crypto.ts';
import { enqueueDeliveries } from '../../webhooks/outbox.ts';

export interface RunEventInput {
  type: string;
  message: string;
  data?: unknown;
}

/**
 * Appends lifecycle events (`workflow_run.<type>`) in the caller's transaction, and with them the
 * webhook deliveries they make (the outbox: they commit together or not at all).
 */
export async function addRunEvents(
  db: Queryable,
  run: WorkflowRunRow,
  events: RunEventInput[],
  now: Date,
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({
    id: uuidv7(now.getTime()),
    runId: run.id,
    ownerId: run.ownerId,
    eventType: `workflow_run.${e.type}`,
    message: e.message,
    data: e.data ?? null,
    createdAt: now,
  }));
  await db.insert(workflowRunEvents).values(rows);
  await enqueueDeliveries(db, run, rows, now);
}

export async function appendLog(
  db: Queryable,
  runId: string,
  lines: { stream: 'stdout' | 'stderr' | 'system'; message: string }[],
  now: Date,
) {
  return db
    .insert(workflowRunLogs)
    .values(
      lines.map((l) => ({
        id: uuidv7(now.getTime()),
        runId,
        stream: l.stream,
        message: l.message,
        createdAt: now,
      })),
    )
    .returning();
}

export function logLine(row: typeof workflowRunLogs.$inferSelect): z.output<typeof RunLogLine> {
  return {
    id: row.id,
    run_id: row.runId,
    source: 'run',
    automation_task_id: null,
    stream: row.stream,
    message: row.message,
    created_at: row.createdAt.toISOString(),
    sequence: row.seq,
  };
}

function eventOf(row: typeof workflowRunEvents.$inferSelect): z.output<typeof RunEvent> {
  return {
    id: row.id,
    run_id: row.runId,
    source: 'run',
    automation_task_id: null,
    event_type: row.eventType,
    message: row.message,
    data: row.data ?? null,
    created_at: row.createdAt.toISOString(),
    sequence: row.seq,
  };
}

export async function logPage(db: Queryable, runId: string, after: number, limit: number) {
  const rows = await db
    .select()
    .from(workflowRunLogs)
    .where(and(eq(workflowRunLogs.runId, runId), gt(workflowRunLogs.seq, after)))
    .orderBy(asc(workflowRunLogs.seq))
    .limit(limit);
  return rows.map(logLine);
}

export async function eventPage(db: Queryable, runId: string, after: number, limit: number) {
  const rows = await db
    .select()
    .from(workflowRunEvents)
    .where(and(eq(workflowRunEvents.runId, runId), gt(workflowRunEvents.seq, after)))
    .orderBy(asc(workflowRunEvents.seq))
    .limit(limit);
  return rows.map(eventOf);
}
