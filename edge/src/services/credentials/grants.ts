/**
 * Credential bindings and runs: a run is granted bindings when it is created (the owner's own,
 * within the version's allow-list when it has one), and the run's worker — only while it holds the
 * run's current lease — resolves a granted binding's secret.
 */
import type { ResolveCredentialRequest, RunCredentialBinding } from '@browserpane/api/contract';
import { and, eq, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import type { Queryable } from '../../db/client.ts';
import {
  credentialBindings,
  type GrantedCredential,
  type WorkflowRunRow,
  type WorkflowVersionRow,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { addRunEvents } from '../workflows/runs/journal.ts';
import { bindingNotFound, loadBinding, openSecret } from './bindings.ts';
import { type StoreSettings, secretStore } from './store.ts';

/** The ids a version allows (top-level and package requirements); empty: it names none. */
function allowList(version: WorkflowVersionRow): string[] {
  const pkg = version.package as
    | { requirements?: { allowed_credential_binding_ids?: string[] } }
    | null
    | undefined;
  return [
    ...version.allowedCredentialBindingIds,
    ...(pkg?.requirements?.allowed_credential_binding_ids ?? []),
  ];
}

/** The bindings a new run gets: each the owner's own, each allowed by the version if it lists any. */
export async function grantBindings(
  db: Queryable,
  ownerId: string,
  ids: readonly string[],
  version: WorkflowVersionRow,
): Promise<GrantedCredential[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(credentialBindings)
    .where(and(eq(credentialBindings.ownerId, ownerId), inArray(credentialBindings.id, [...ids])));
  const allowed = allowList(version);
  return ids.map((id) => {
    const row = rows.find((r) => r.id === id);
    if (!row)
      throw new AppError(
        'credential_binding_not_found',
        `credential binding ${id} does not exist for the caller`,
        { details: { binding_id: id } },
      );
    if (allowed.length > 0 && !allowed.includes(id))
      throw new AppError(
        'credential_binding_not_allowed',
        `version ${version.version} does not allow credential binding ${row.name} (its allowed_credential_binding_ids do not list ${id})`,
        { details: { binding_id: id } },
      );
    return {
      id: row.id,
      name: row.name,
      provider: row.provider,
      kind: row.kind,
      injection_mode: row.injectionMode,
      allowed_origins: row.allowedOrigins,
      namespace: row.namespace,
      totp: row.totp ?? null,
    };
  });
}

export function runBindingResource(
  runId: string,
  g: GrantedCredential,
): z.output<typeof RunCredentialBinding> {
  return {
    id: g.id,
    project_id: null,
    name: g.name,
    provider: 'vault_kv_v2',
    secret_store: secretStore(g.provider),
    namespace: g.namespace,
    allowed_origins: g.allowed_origins,
    injection_mode: g.injection_mode,
    totp: g.totp,
    kind: g.kind,
    resolve_path: `/api/v1/workflow-runs/${runId}/credential-bindings/${g.id}/resolve`,
  };
}

/**
 * A granted binding's secret for the worker holding the run now: the same attempt and worker id
 * it was claimed with, a live lease, the run `starting` or `running`. Recorded as an event (the
 * binding's name, never its secret).
 */
export async function resolveGranted(
  db: Queryable,
  env: StoreSettings,
  run: WorkflowRunRow,
  bindingId: string,
  caller: z.output<typeof ResolveCredentialRequest>,
  now: Date,
) {
  if (caller.attempt !== run.attempt || caller.worker_id !== run.workerId)
    throw new AppError(
      'stale_attempt',
      'this run is not held by that worker and attempt: only the worker holding its lease resolves its credentials',
    );
  if (run.state !== 'starting' && run.state !== 'running')
    throw new AppError(
      'run_state_conflict',
      `the run is ${run.state}; credentials are resolved only while it starts or runs`,
    );
  if (!run.leaseExpiresAt || run.leaseExpiresAt.getTime() <= now.getTime())
    throw new AppError('stale_attempt', "the worker's lease on this run ran out");
  const granted = run.credentialBindings.find((g) => g.id === bindingId);
  if (!granted) throw bindingNotFound();
  const row = await loadBinding(db, bindingId, run.ownerId);
  const payload = await openSecret(env, row);
  await addRunEvents(
    db,
    run,
    [
      {
        type: 'credential_binding_resolved',
        message: `credential ${row.name} resolved by ${run.workerId}`,
        data: { binding_id: row.id, name: row.name, injection_mode: row.injectionMode },
      },
    ],
    now,
  );
  return {
    binding: runBindingResource(run.id, {
      ...granted,
      allowed_origins: row.allowedOrigins,
      injection_mode: row.injectionMode,
    }),
    payload,
  };
}
