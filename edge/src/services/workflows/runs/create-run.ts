/**
 * Starting a run: the version must be runnable and its snapshot ready, the input must satisfy the
 * version's schema, the session is the caller's own or a new one. Idempotent per owner and
 * `client_request_id` (an advisory lock on the key serializes concurrent retries; a unique index
 * backs it). Admitted runs are `pending` with their job enqueued in the same transaction; the rest
 * wait in `queued`.
 */
import type { CreateRunRequest } from '@browserpane/api/contract';
import { and, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Config } from '../../../config.ts';
import type { Database } from '../../../db/client.ts';
import { type SessionRow, type WorkflowRunRow, workflowRuns } from '../../../db/schema/index.ts';
import { AppError } from '../../../errors.ts';
import { grantBindings } from '../../credentials/grants.ts';
import { uuidv7 } from '../../crypto.ts';
import { loadWorkspace } from '../../file-workspaces/workspaces.ts';
import type { Principal } from '../../oidc/principal.ts';
import { insertSession, loadSession, type RequestOrigin } from '../../sessions.ts';
import { loadDefinition } from '../definitions.ts';
import { fingerprint } from '../fingerprint.ts';
import { validateAgainst } from '../json-schema.ts';
import { loadVersion, RUNNABLE_EXECUTORS } from '../versions.ts';
import { activeLoad, admitQueued, blocker, dispatch, lockAdmission } from './admission.ts';
import { addRunEvents } from './journal.ts';
import { bindWorkspaceInputs, checkWorkspaceInputs } from './workspace-inputs.ts';

export type CreateRunInput = z.output<typeof CreateRunRequest>;

const INPUT_LIMIT = 256 * 1024;

async function existingRun(
  tx: Parameters<Parameters<Database['transaction']>[0]>[0],
  owner: string,
  clientRequestId: string,
): Promise<WorkflowRunRow | undefined> {
  const [row] = await tx
    .select()
    .from(workflowRuns)
    .where(and(eq(workflowRuns.ownerId, owner), eq(workflowRuns.clientRequestId, clientRequestId)));
  return row;
}

export async function createRun(
  db: Database,
  principal: Principal,
  input: CreateRunInput,
  origin: RequestOrigin,
  cfg: Config,
  now: Date,
): Promise<{ row: WorkflowRunRow; created: boolean }> {
  const print = await fingerprint(input);
  const replay = async () => {
    if (!input.client_request_id) return null;
    const [row] = await db
      .select()
      .from(workflowRuns)
      .where(
        and(
          eq(workflowRuns.ownerId, principal.id),
          eq(workflowRuns.clientRequestId, input.client_request_id),
        ),
      );
    if (!row) return null;
    if (row.requestFingerprint !== print)
      throw new AppError(
        'idempotency_conflict',
        'client_request_id was used before with a different request; use a new id for a new run',
        { details: { run_id: row.id } },
      );
    return row;
  };
  const known = await replay();
  if (known) return { row: known, created: false };

  const definition = await loadDefinition(db, input.workflow_id, principal);
  const version = await loadVersion(db, definition.id, input.version);
  if (!(RUNNABLE_EXECUTORS as readonly string[]).includes(version.executor))
    throw new AppError(
      'workflow_version_not_runnable',
      `executor ${JSON.stringify(version.executor)} cannot run here`,
    );
  if (version.snapshotState !== 'ready')
    throw new AppError(
      'source_not_ready',
      "the version's source is still being resolved; retry shortly",
    );
  const inputJson = input.input === undefined ? null : input.input;
  if (new TextEncoder().encode(JSON.stringify(inputJson)).byteLength > INPUT_LIMIT)
    throw new AppError('payload_too_large', `input must be at most ${INPUT_LIMIT} bytes as JSON`);
  validateAgainst(version.inputSchema, inputJson, 'input');
  const session = input.session ?? null;
  if (session?.existing_session_id && session.create_session)
    throw new AppError(
      'validation_failed',
      'body.session must name an existing session or ask for a new one, not both',
    );
  if (session?.existing_session_id) {
    const existing = await loadSession(db, session.existing_session_id, principal, 'owner');
    // An ended session has no browser for the run: it gets neither credentials nor files.
    if (ENDED_SESSION_STATES.includes(existing.state))
      throw new AppError(
        'session_stopped',
        `session ${existing.id} has ended (${existing.state}); a run needs a live session: restart it first, or omit session to start a new one`,
        { details: { session_id: existing.id, session_state: existing.state } },
      );
  }
  const newSession = session?.existing_session_id
    ? undefined
    : sessionWithExtensions(session?.create_session ?? {}, version.allowedExtensionIds);
  const granted = await grantBindings(
    db,
    principal.id,
    input.credential_binding_ids ?? [],
    version,
  );

  if (input.output_workspace_id) {
    await loadWorkspace(db, input.output_workspace_id, principal.id);
    const allowed = version.allowedFileWorkspaceIds;
    if (allowed.length > 0 && !allowed.includes(input.output_workspace_id))
      throw new AppError(
        'validation_failed',
        "output_workspace_id is not in the version's allowed_file_workspace_ids",
      );
  }

  const inputs = await checkWorkspaceInputs(db, principal, input.workspace_inputs ?? [], version);

  const id = uuidv7(now.getTime());
  try {
    const row = await db.transaction(async (tx) => {
      if (input.client_request_id) {
        await tx.execute(
          sql`select pg_advisory_xact_lock(hashtextextended(${JSON.stringify([principal.id, input.client_request_id])}, 7))`,
        );
        const before = await existingRun(tx, principal.id, input.client_request_id);
        if (before) return { before };
      }
      const sessionId =
        session?.existing_session_id ??
        (await insertSession(tx, principal, newSession ?? {}, origin, now, cfg));
      const workspaceInputs = await bindWorkspaceInputs(tx, sessionId, principal, inputs, id, now);
      await lockAdmission(tx);
      await admitQueued(tx, cfg, now);
      const why = blocker(await activeLoad(tx), principal.id, cfg);
      const [created] = await tx
        .insert(workflowRuns)
        .values({
          id,
          ownerId: principal.id,
          ownerIssuer: principal.issuer,
          ownerName: principal.name,
          workflowId: definition.id,
          versionId: version.id,
          version: version.version,
          executor: version.executor,
          sessionId,
          sessionCreated: session?.existing_session_id ? 0 : 1,
          state: why ? 'queued' : 'pending',
          reason: why ?? 'created',
          stateChangedAt: now,
          input: inputJson,
          artifactRefs: [],
          labels: input.labels ?? {},
          sourceSystem: input.source_system ?? null,
          sourceReference: input.source_reference ?? null,
          clientRequestId: input.client_request_id ?? null,
          requestFingerprint: print,
          credentialBindings: granted,
          outputWorkspaceId: input.output_workspace_id ?? uuidv7(now.getTime()),
          workspaceInputs,
          maxAttempts: version.maxAttempts,
          admissionReason: why,
          queuedAt: why ? now : null,
          resolutions: [],
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const run = created as WorkflowRunRow;
      await addRunEvents(
        tx,
        run,
        [
          {
            type: 'created',
            message: `run of ${definition.name} ${version.version}`,
            data: {
              session_id: sessionId,
              ...(granted.length > 0
                ? { credential_bindings: granted.map((g) => ({ id: g.id, name: g.name })) }
                : {}),
              ...(workspaceInputs.length > 0
                ? {
                    workspace_inputs: workspaceInputs.map((w) => ({
                      id: w.binding_id,
                      file_name: w.file_name,
                      mount_path: w.mount_path,
                    })),
                  }
                : {}),
            },
          },
          why
            ? { type: 'queued', message: `waiting for capacity (${why})`, data: { reason: why } }
            : { type: 'admitted', message: 'handed to a workflow worker' },
        ],
        now,
      );
      if (!why) await dispatch(tx, run);
      return { run };
    });
    if ('before' in row) {
      const again = await replay();
      if (again) return { row: again, created: false };
      throw new AppError('internal_error', 'the idempotent run vanished');
    }
    return { row: row.run, created: true };
  } catch (error) {
    if (/workflow_runs_client_request_idx/.test(String((error as Error)?.message ?? ''))) {
      const again = await replay();
      if (again) return { row: again, created: false };
    }
    throw error;
  }
}

/** Sessions a run cannot use (restarting one makes it usable again). */
const ENDED_SESSION_STATES: readonly SessionRow['state'][] = ['stopping', 'stopped', 'failed'];

/**
 * A run's new session loads the extensions its version allows, or the subset its request names;
 * one outside a non-empty allow-list is `extension_not_allowed`.
 */
function sessionWithExtensions<T extends { extension_ids?: string[] | undefined }>(
  create: T,
  allowed: readonly string[],
): T {
  const asked = create.extension_ids;
  if (!asked) return allowed.length > 0 ? { ...create, extension_ids: [...allowed] } : create;
  const outside = allowed.length > 0 ? asked.find((id) => !allowed.includes(id)) : undefined;
  if (outside)
    throw new AppError(
      'extension_not_allowed',
      `the version does not allow extension ${outside} (its allowed_extension_ids do not list it)`,
      { details: { extension_id: outside } },
    );
  return create;
}
