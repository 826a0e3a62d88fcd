/** Workflow definitions: create, list, load (owner-scoped: another owner's is a 404). */
import type { WorkflowDefinition } from '@browserpane/api/contract';
import { and, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { type WorkflowDefinitionRow, workflowDefinitions } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { uuidv7 } from '../crypto.ts';
import type { Principal } from '../oidc/principal.ts';

export function workflowNotFound(): AppError {
  return new AppError('workflow_not_found', 'no workflow with this id exists for the caller');
}

export function definitionResource(row: WorkflowDefinitionRow): WorkflowDefinition {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    labels: row.labels,
    latest_version: row.latestVersion,
    versions_path: `/api/v1/workflows/${row.id}/versions`,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export async function createDefinition(
  db: Queryable,
  principal: Principal,
  input: {
    name: string;
    description?: string | null | undefined;
    labels?: Record<string, string> | undefined;
  },
  now: Date,
): Promise<WorkflowDefinitionRow> {
  const [row] = await db
    .insert(workflowDefinitions)
    .values({
      id: uuidv7(now.getTime()),
      ownerId: principal.id,
      ownerIssuer: principal.issuer,
      name: input.name,
      description: input.description ?? null,
      labels: input.labels ?? {},
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row as WorkflowDefinitionRow;
}

export async function listDefinitions(db: Queryable, principal: Principal) {
  return db
    .select()
    .from(workflowDefinitions)
    .where(eq(workflowDefinitions.ownerId, principal.id))
    .orderBy(desc(workflowDefinitions.id))
    .limit(1000);
}

export async function loadDefinition(
  db: Queryable,
  id: string,
  principal: Principal,
): Promise<WorkflowDefinitionRow> {
  const [row] = await db
    .select()
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.id, id), eq(workflowDefinitions.ownerId, principal.id)));
  if (!row) throw workflowNotFound();
  return row;
}
