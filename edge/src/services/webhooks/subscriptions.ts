/** Workflow event subscriptions: create, list, load, delete, rotate the secret (owner-scoped). */
import type { WorkflowEventSubscription } from '@browserpane/api/contract';
import { and, desc, eq } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Queryable } from '../../db/client.ts';
import {
  type WorkflowEventSubscriptionRow,
  workflowEventSubscriptions,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { uuidv7 } from '../crypto.ts';
import type { KekSettings } from '../keys/kek.ts';
import type { Principal } from '../oidc/principal.ts';
import { loadDefinition } from '../workflows/definitions.ts';
import { sealSecret } from './secret-box.ts';
import { newSigningSecret } from './signature.ts';
import { checkTargetUrl } from './target.ts';

export function subscriptionNotFound(): AppError {
  return new AppError(
    'subscription_not_found',
    'no workflow event subscription with this id exists for the caller',
  );
}

export function subscriptionResource(row: WorkflowEventSubscriptionRow): WorkflowEventSubscription {
  return {
    id: row.id,
    name: row.name,
    target_url: row.targetUrl,
    event_types: row.eventTypes,
    has_signing_secret: true,
    deliveries_path: `/api/v1/workflow-event-subscriptions/${row.id}/deliveries`,
    workflow_id: row.workflowId,
    secret_rotated_at: row.secretRotatedAt?.toISOString() ?? null,
    previous_secret_expires_at: row.previousSecretExpiresAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export interface CreateSubscriptionInput {
  name: string;
  target_url: string;
  event_types: string[];
  signing_secret?: string | undefined;
  workflow_id?: string | null | undefined;
}

export async function createSubscription(
  db: Queryable,
  principal: Principal,
  input: CreateSubscriptionInput,
  cfg: Config,
  kek: KekSettings,
  now: Date,
): Promise<{ row: WorkflowEventSubscriptionRow; secret: string }> {
  const targetUrl = checkTargetUrl(input.target_url, cfg.webhookAllowPrivateTargets);
  if (input.workflow_id) await loadDefinition(db, input.workflow_id, principal);
  const id = uuidv7(now.getTime());
  const secret = input.signing_secret ?? newSigningSecret();
  const [row] = await db
    .insert(workflowEventSubscriptions)
    .values({
      id,
      ownerId: principal.id,
      ownerIssuer: principal.issuer,
      name: input.name,
      targetUrl,
      eventTypes: [...new Set(input.event_types)],
      workflowId: input.workflow_id ?? null,
      secretSealed: await sealSecret(kek, id, secret),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return { row: row as WorkflowEventSubscriptionRow, secret };
}

export function listSubscriptions(db: Queryable, principal: Principal) {
  return db
    .select()
    .from(workflowEventSubscriptions)
    .where(eq(workflowEventSubscriptions.ownerId, principal.id))
    .orderBy(desc(workflowEventSubscriptions.id))
    .limit(1000);
}

export async function loadSubscription(
  db: Queryable,
  id: string,
  principal: Principal,
): Promise<WorkflowEventSubscriptionRow> {
  const [row] = await db
    .select()
    .from(workflowEventSubscriptions)
    .where(
      and(
        eq(workflowEventSubscriptions.id, id),
        eq(workflowEventSubscriptions.ownerId, principal.id),
      ),
    );
  if (!row) throw subscriptionNotFound();
  return row;
}

export async function deleteSubscription(
  db: Queryable,
  id: string,
  principal: Principal,
): Promise<WorkflowEventSubscriptionRow> {
  const [row] = await db
    .delete(workflowEventSubscriptions)
    .where(
      and(
        eq(workflowEventSubscriptions.id, id),
        eq(workflowEventSubscriptions.ownerId, principal.id),
      ),
    )
    .returning();
  if (!row) throw subscriptionNotFound();
  return row;
}

/** A new secret signs from now on; the current one keeps signing for `graceSec` beside it. */
export async function rotateSecret(
  db: Queryable,
  row: WorkflowEventSubscriptionRow,
  input: { grace_period_sec?: number | undefined; signing_secret?: string | undefined },
  cfg: Config,
  kek: KekSettings,
  now: Date,
): Promise<{ row: WorkflowEventSubscriptionRow; secret: string }> {
  const graceSec = input.grace_period_sec ?? cfg.webhookSecretGraceSec;
  const secret = input.signing_secret ?? newSigningSecret();
  const [updated] = await db
    .update(workflowEventSubscriptions)
    .set({
      secretSealed: await sealSecret(kek, row.id, secret),
      previousSecretSealed: graceSec > 0 ? row.secretSealed : null,
      previousSecretExpiresAt: graceSec > 0 ? new Date(now.getTime() + graceSec * 1000) : null,
      secretRotatedAt: now,
      updatedAt: now,
    })
    .where(eq(workflowEventSubscriptions.id, row.id))
    .returning();
  return { row: updated as WorkflowEventSubscriptionRow, secret };
}
