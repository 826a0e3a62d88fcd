/**
 * Enqueueing into graphile-worker from the edge: its SQL function `graphile_worker.add_job`, run
 * inside the caller's transaction so a job exists exactly when the state change that needs it
 * commits. No library: the schema is installed by `npm run migrate`.
 */
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';

/** Job names the workflow worker handles. */
export const JOBS = {
  /** Run (or continue) a workflow run: payload `{ run_id }`. */
  run: 'workflow_run',
  /** Resolve and snapshot a git source: payload `{ version_id, source, entrypoint }`. */
  source: 'workflow_source',
  /** Send one webhook delivery attempt: payload `{ delivery_id }`. */
  webhook: 'webhook_delivery',
} as const;

export async function addJob(
  tx: Queryable,
  identifier: (typeof JOBS)[keyof typeof JOBS],
  payload: Record<string, unknown>,
  options: { jobKey?: string; maxAttempts?: number; runAt?: Date } = {},
): Promise<void> {
  await tx.execute(
    sql`select graphile_worker.add_job(${identifier}, ${JSON.stringify(payload)}::json, job_key => ${options.jobKey ?? null}::text, max_attempts => ${options.maxAttempts ?? 5}::int, run_at => ${options.runAt?.toISOString() ?? null}::timestamptz)`,
  );
}
