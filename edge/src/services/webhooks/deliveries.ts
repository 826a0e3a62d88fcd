/**
 * Deliveries: the owner's log (with every attempt) and redelivery; the worker's claim (the edge
 * signs: secrets never leave it) and its report of how the attempt went (next attempt with
 * exponential backoff, or `delivered`, or — at the limit — `failed`, the dead state).
 */
import type { ClaimedDelivery, WorkflowEventDelivery } from '@browserpane/api/contract';
import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Database, Tx } from '../../db/client.ts';
import {
  type DeliveryState,
  type WorkflowEventDeliveryAttemptRow,
  type WorkflowEventDeliveryRow,
  workflowEventDeliveries,
  workflowEventDeliveryAttempts,
  workflowEventSubscriptions,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { uuidv7 } from '../crypto.ts';
import type { KekSettings } from '../keys/kek.ts';
import { scheduleDelivery } from './outbox.ts';
import { openSecret } from './secret-box.ts';
import { sign } from './signature.ts';

export function deliveryNotFound(): AppError {
  return new AppError('delivery_not_found', 'no delivery with this id exists here');
}

export function deliveryResource(
  row: WorkflowEventDeliveryRow,
  attempts: WorkflowEventDeliveryAttemptRow[],
  cfg: Config,
): WorkflowEventDelivery {
  return {
    id: row.id,
    subscription_id: row.subscriptionId,
    run_id: row.runId,
    event_id: row.eventId,
    event_type: row.eventType,
    state: row.state,
    attempt_count: row.attemptCount,
    attempt_limit: row.attemptSeriesStart + cfg.webhookMaxAttempts,
    next_attempt_at: row.nextAttemptAt?.toISOString() ?? null,
    last_attempt_at: row.lastAttemptAt?.toISOString() ?? null,
    delivered_at: row.deliveredAt?.toISOString() ?? null,
    last_response_status: row.lastResponseStatus,
    last_error: row.lastError,
    payload: row.payload,
    attempts: attempts.map((a) => ({
      id: a.id,
      delivery_id: a.deliveryId,
      attempt_number: a.attemptNumber,
      response_status: a.responseStatus,
      error: a.error,
      duration_ms: a.durationMs,
      next_attempt_at: a.nextAttemptAt?.toISOString() ?? null,
      created_at: a.createdAt.toISOString(),
    })),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

async function withAttempts(db: Database | Tx, rows: WorkflowEventDeliveryRow[], cfg: Config) {
  const attempts = rows.length
    ? await db
        .select()
        .from(workflowEventDeliveryAttempts)
        .where(
          inArray(
            workflowEventDeliveryAttempts.deliveryId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(asc(workflowEventDeliveryAttempts.attemptNumber))
    : [];
  return rows.map((r) =>
    deliveryResource(
      r,
      attempts.filter((a) => a.deliveryId === r.id),
      cfg,
    ),
  );
}

export async function listDeliveries(
  db: Database,
  subscriptionId: string,
  query: { state?: DeliveryState | undefined; limit?: number | undefined },
  cfg: Config,
) {
  const rows = await db
    .select()
    .from(workflowEventDeliveries)
    .where(
      and(
        eq(workflowEventDeliveries.subscriptionId, subscriptionId),
        query.state ? eq(workflowEventDeliveries.state, query.state) : undefined,
      ),
    )
    .orderBy(desc(workflowEventDeliveries.id))
    .limit(query.limit ?? 100);
  return withAttempts(db, rows, cfg);
}

/** An attempt unreported past its time limit plus `webhookLostAfterMs` had a worker that died. */
export function attemptLost(row: WorkflowEventDeliveryRow, cfg: Config, now: Date): boolean {
  const started = row.lastAttemptAt?.getTime() ?? 0;
  return started < now.getTime() - cfg.webhookTimeoutMs - cfg.webhookLostAfterMs;
}

/**
 * Deliveries whose attempt was lost with its worker (killed mid-attempt: its job stays locked for
 * hours) are scheduled again now; the next claim records the lost attempt and goes on.
 */
export async function recoverLostDeliveries(db: Database, cfg: Config, now: Date): Promise<number> {
  const before = new Date(now.getTime() - cfg.webhookTimeoutMs - cfg.webhookLostAfterMs);
  const stale = await db
    .select({ id: workflowEventDeliveries.id })
    .from(workflowEventDeliveries)
    .where(
      and(
        eq(workflowEventDeliveries.state, 'delivering'),
        lt(workflowEventDeliveries.lastAttemptAt, before),
      ),
    );
  let recovered = 0;
  for (const { id } of stale)
    await db.transaction(async (tx) => {
      const row = await lockDelivery(tx, id);
      if (row.state !== 'delivering' || !attemptLost(row, cfg, now)) return;
      await scheduleDelivery(tx, row.id, now);
      recovered++;
    });
  return recovered;
}

async function lockDelivery(tx: Tx, id: string, subscriptionId?: string) {
  const [row] = await tx
    .select()
    .from(workflowEventDeliveries)
    .where(
      and(
        eq(workflowEventDeliveries.id, id),
        subscriptionId ? eq(workflowEventDeliveries.subscriptionId, subscriptionId) : undefined,
      ),
    )
    .for('update');
  if (!row) throw deliveryNotFound();
  return row;
}

async function updateDelivery(tx: Tx, id: string, patch: Partial<WorkflowEventDeliveryRow>) {
  const [row] = await tx
    .update(workflowEventDeliveries)
    .set(patch)
    .where(eq(workflowEventDeliveries.id, id))
    .returning();
  return row as WorkflowEventDeliveryRow;
}

/** A new series of attempts for a delivery not in flight (the same id and body, new signatures). */
export async function redeliver(
  db: Database,
  subscriptionId: string,
  deliveryId: string,
  cfg: Config,
  now: Date,
): Promise<WorkflowEventDelivery> {
  return db.transaction(async (tx) => {
    const row = await lockDelivery(tx, deliveryId, subscriptionId);
    if (row.state === 'delivering' && !attemptLost(row, cfg, now))
      throw new AppError('delivery_in_flight', 'an attempt of this delivery is under way');
    const updated = await updateDelivery(tx, row.id, {
      state: 'pending',
      attemptSeriesStart: row.attemptCount,
      nextAttemptAt: now,
      updatedAt: now,
    });
    await scheduleDelivery(tx, row.id, now);
    const [resource] = await withAttempts(tx, [updated], cfg);
    return resource as WorkflowEventDelivery;
  });
}

/** Delay before attempt `n + 1` after `n` attempts of this series (n ≥ 1): base · 2^(n−1), capped. */
export function backoffMs(cfg: Config, attemptsInSeries: number): number {
  return Math.min(
    cfg.webhookBackoffMaxMs,
    cfg.webhookBackoffBaseMs * 2 ** Math.min(30, Math.max(0, attemptsInSeries - 1)),
  );
}

const LOST = 'the worker making this attempt was lost before it reported';

/**
 * The worker takes the next attempt: the request to send, signed with the current secret (and the
 * previous one during its grace period). A delivery found `delivering` had a worker that died
 * mid-attempt (the job is keyed per delivery, so no two workers hold it): that attempt is recorded
 * as lost and this one goes on.
 */
export async function claimDelivery(
  db: Database,
  deliveryId: string,
  cfg: Config,
  kek: KekSettings,
  now: Date,
): Promise<ClaimedDelivery> {
  return db.transaction(async (tx) => {
    const row = await lockDelivery(tx, deliveryId);
    if (row.state === 'delivered' || row.state === 'failed')
      throw new AppError('delivery_not_pending', `the delivery is ${row.state}: nothing to send`);
    if (
      row.state === 'pending' &&
      row.nextAttemptAt &&
      row.nextAttemptAt.getTime() > now.getTime() + 1000
    )
      throw new AppError(
        'delivery_not_pending',
        `the delivery's next attempt is due at ${row.nextAttemptAt.toISOString()}`,
      );
    if (row.state === 'delivering')
      await tx
        .insert(workflowEventDeliveryAttempts)
        .values({
          id: uuidv7(now.getTime()),
          deliveryId: row.id,
          attemptNumber: row.attemptCount,
          error: LOST,
          createdAt: now,
        })
        .onConflictDoNothing();
    const [subscription] = await tx
      .select()
      .from(workflowEventSubscriptions)
      .where(eq(workflowEventSubscriptions.id, row.subscriptionId));
    if (!subscription) throw deliveryNotFound();
    const secrets = [await openSecret(kek, subscription.id, subscription.secretSealed)];
    if (
      subscription.previousSecretSealed &&
      subscription.previousSecretExpiresAt &&
      subscription.previousSecretExpiresAt > now
    )
      secrets.push(await openSecret(kek, subscription.id, subscription.previousSecretSealed));
    const attempt = row.attemptCount + 1;
    await updateDelivery(tx, row.id, {
      state: 'delivering',
      attemptCount: attempt,
      lastAttemptAt: now,
      nextAttemptAt: null,
      updatedAt: now,
    });
    const body = JSON.stringify(row.payload);
    const timestamp = Math.floor(now.getTime() / 1000);
    return {
      delivery_id: row.id,
      attempt_number: attempt,
      target_url: subscription.targetUrl,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'BrowserPane-Webhooks/1',
        'webhook-id': row.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': await sign(secrets, row.id, timestamp, body),
      },
      body,
      timeout_ms: cfg.webhookTimeoutMs,
      allow_private_targets: cfg.webhookAllowPrivateTargets,
    };
  });
}

export interface AttemptReport {
  attempt_number: number;
  response_status: number | null;
  error: string | null;
  duration_ms: number;
}

/** Records the attempt and decides what comes next. */
export async function reportAttempt(
  db: Database,
  deliveryId: string,
  report: AttemptReport,
  cfg: Config,
  now: Date,
): Promise<WorkflowEventDelivery> {
  return db.transaction(async (tx) => {
    const row = await lockDelivery(tx, deliveryId);
    if (row.state !== 'delivering' || report.attempt_number !== row.attemptCount)
      throw new AppError(
        'stale_attempt',
        `attempt ${report.attempt_number} is not this delivery's current attempt`,
      );
    const ok =
      report.response_status !== null &&
      report.response_status >= 200 &&
      report.response_status < 300;
    const error = ok
      ? null
      : (report.error ?? `the target answered HTTP ${report.response_status ?? '(none)'}`);
    const inSeries = row.attemptCount - row.attemptSeriesStart;
    const dead = !ok && inSeries >= cfg.webhookMaxAttempts;
    const next = ok || dead ? null : new Date(now.getTime() + backoffMs(cfg, inSeries));
    await tx.insert(workflowEventDeliveryAttempts).values({
      id: uuidv7(now.getTime()),
      deliveryId: row.id,
      attemptNumber: report.attempt_number,
      responseStatus: report.response_status,
      error,
      durationMs: report.duration_ms,
      nextAttemptAt: next,
      createdAt: now,
    });
    const updated = await updateDelivery(tx, row.id, {
      state: ok ? 'delivered' : dead ? 'failed' : 'pending',
      deliveredAt: ok ? now : null,
      nextAttemptAt: next,
      lastResponseStatus: report.response_status,
      lastError: error,
      updatedAt: now,
    });
    if (next) await scheduleDelivery(tx, row.id, next);
    const [resource] = await withAttempts(tx, [updated], cfg);
    return resource as WorkflowEventDelivery;
  });
}
