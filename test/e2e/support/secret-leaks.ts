/** Searching what a run left behind for secrets it must never show. */
import type { Api, WorkflowRun } from '@browserpane/api';
import { expect } from 'vitest';

/** Everything the run left at the edge: the run, every log line, every event (as one text). */
export async function runTraces(api: Api, run: WorkflowRun): Promise<string> {
  const logs = await api.getWorkflowRunLogs({
    params: { run_id: run.id },
    query: { limit: 500 },
  });
  const events = await api.getWorkflowRunEvents({
    params: { run_id: run.id },
    query: { limit: 500 },
  });
  return JSON.stringify({ run, logs, events });
}

/** None of the secrets, plain or base64, is in `text` (`where` names it in a failure). */
export function expectNoSecret(secrets: readonly string[], text: string, where: string): void {
  for (const secret of secrets) {
    expect(text.includes(secret), `${where} holds ${secret.slice(0, 3)}…`).toBe(false);
    expect(text.includes(Buffer.from(secret).toString('base64')), where).toBe(false);
  }
}
