/**
 * A run's workspace inputs: workspace files of the caller mounted into the run's session as file
 * bindings (the session's host places them where the page's file chooser gets them). Checked
 * before the run is written; bound in the transaction that writes the run and its session.
 */
import { inArray } from 'drizzle-orm';
import type { Queryable } from '../../../db/client.ts';
import {
  type FileWorkspaceFileRow,
  type RunWorkspaceInputRow,
  sessionFileBindings,
  type WorkflowVersionRow,
} from '../../../db/schema/index.ts';
import { AppError } from '../../../errors.ts';
import { bindFile } from '../../file-workspaces/bindings.ts';
import { loadFile } from '../../file-workspaces/workspaces.ts';
import type { Principal } from '../../oidc/principal.ts';

export interface WorkspaceInputRequest {
  workspace_id: string;
  file_id: string;
  mount_path?: string | null | undefined;
}

export interface CheckedInput {
  file: FileWorkspaceFileRow;
  mountPath: string;
}

/**
 * The caller's files (404 otherwise), within the version's allowed workspaces when it lists any,
 * each at a distinct mount path (the file's name when none is given).
 */
export async function checkWorkspaceInputs(
  db: Queryable,
  principal: Principal,
  inputs: readonly WorkspaceInputRequest[],
  version: Pick<WorkflowVersionRow, 'allowedFileWorkspaceIds'>,
): Promise<CheckedInput[]> {
  const allowed = version.allowedFileWorkspaceIds;
  const out: CheckedInput[] = [];
  for (const [i, input] of inputs.entries()) {
    const file = await loadFile(db, input.workspace_id, input.file_id, principal.id);
    if (allowed.length > 0 && !allowed.includes(input.workspace_id))
      throw new AppError(
        'validation_failed',
        `workspace_inputs[${i}].workspace_id is not in the version's allowed_file_workspace_ids`,
      );
    const mountPath = input.mount_path ?? file.name;
    if (out.some((o) => o.mountPath === mountPath))
      throw new AppError(
        'validation_failed',
        `workspace_inputs[${i}] uses the mount path ${mountPath} another input uses`,
        { details: { mount_path: mountPath } },
      );
    out.push({ file, mountPath });
  }
  return out;
}

/** Binds the checked inputs to the run's session; what the run keeps of each. */
export async function bindWorkspaceInputs(
  tx: Queryable,
  sessionId: string,
  principal: Principal,
  inputs: readonly CheckedInput[],
  runId: string,
  now: Date,
): Promise<RunWorkspaceInputRow[]> {
  const out: RunWorkspaceInputRow[] = [];
  for (const { file, mountPath } of inputs) {
    const b = await bindFile(
      tx,
      sessionId,
      principal,
      file,
      { mount_path: mountPath, mode: 'read_only', labels: { 'browserpane.run_id': runId } },
      now,
    );
    out.push({
      binding_id: b.id,
      workspace_id: b.workspaceId,
      file_id: b.fileId,
      file_name: b.fileName,
      media_type: b.mediaType,
      byte_count: b.byteCount,
      sha256_hex: b.sha256,
      provenance: b.provenance ?? null,
      mount_path: b.mountPath,
    });
  }
  return out;
}

/** The placement state of these bindings (a run view shows how far its inputs got). */
export async function inputStates(
  db: Queryable,
  bindingIds: readonly string[],
): Promise<Map<string, { state: string; error: string | null }>> {
  const out = new Map<string, { state: string; error: string | null }>();
  if (bindingIds.length === 0) return out;
  for (const r of await db
    .select({
      id: sessionFileBindings.id,
      state: sessionFileBindings.state,
      error: sessionFileBindings.error,
    })
    .from(sessionFileBindings)
    .where(inArray(sessionFileBindings.id, [...bindingIds])))
    out.set(r.id, { state: r.state, error: r.error });
  return out;
}

/** One input as the run resource shows it. */
export function workspaceInputResource(
  sessionId: string,
  row: RunWorkspaceInputRow,
  state: { state: string; error: string | null } | undefined,
) {
  return {
    id: row.binding_id,
    workspace_id: row.workspace_id,
    file_id: row.file_id,
    file_name: row.file_name,
    media_type: row.media_type,
    byte_count: row.byte_count,
    sha256_hex: row.sha256_hex,
    provenance: row.provenance ?? null,
    mount_path: row.mount_path,
    content_path: `/api/v1/sessions/${sessionId}/file-bindings/${row.binding_id}/content`,
    state: (state?.state ?? 'removed') as 'pending' | 'materialized' | 'failed' | 'removed',
    error: state?.error ?? null,
  };
}
