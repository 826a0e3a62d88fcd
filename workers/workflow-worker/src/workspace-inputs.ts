/**
 * A run's workspace inputs are file bindings of its session: its host places them in the session's
 * files (where the page's file chooser gets them). The entrypoint starts once every one is placed,
 * so a page it opens finds its file; one the host could not place fails the run.
 */
import type { WorkflowRun } from '@browserpane/api';
import type { Api } from './edge.ts';

const PLACE_WAIT_MS = 60_000;

export class WorkspaceInputFailed extends Error {
  readonly reason = 'workspace_input_unavailable';
}

/** What the entrypoint learns of each input (no content: the page's file chooser gets that). */
export function inputsForEntrypoint(run: WorkflowRun) {
  return run.workspace_inputs.map((w) => ({
    mount_path: w.mount_path,
    file_name: w.file_name,
    media_type: w.media_type,
    byte_count: w.byte_count,
    sha256_hex: w.sha256_hex,
  }));
}

/**
 * Waits (through the run's lease heartbeat, which answers the run) until every input is
 * `materialized`; the latest run view is returned.
 */
export async function waitForWorkspaceInputs(
  api: Api,
  run: WorkflowRun,
  attempt: number,
  stopped: () => boolean,
): Promise<WorkflowRun> {
  const until = Date.now() + PLACE_WAIT_MS;
  let current = run;
  for (let delay = 200; ; delay = Math.min(delay * 1.5, 1500)) {
    const failed = current.workspace_inputs.find(
      (w) => w.state === 'failed' || w.state === 'removed',
    );
    if (failed)
      throw new WorkspaceInputFailed(
        `the workspace input ${failed.mount_path} could not be placed in the session: ${failed.error ?? failed.state}`,
      );
    const waiting = current.workspace_inputs.filter((w) => w.state !== 'materialized');
    if (waiting.length === 0 || stopped()) return current;
    if (Date.now() > until)
      throw new WorkspaceInputFailed(
        `the session's host did not place ${waiting.map((w) => w.mount_path).join(', ')} within ${PLACE_WAIT_MS / 1000} s`,
      );
    await new Promise((r) => setTimeout(r, delay));
    current = (await api.heartbeatWorkflowRun({ params: { run_id: run.id }, body: { attempt } }))
      .run;
  }
}
