/**
 * A run's lease secret: each claim mints a fresh one and hands it to the claiming worker only (the
 * edge keeps its SHA-256). The worker shows it (`x-bpane-run-lease`) wherever it reaches into the
 * run's session — automation access, the session's files — so a workflow worker's credential alone
 * reaches no session: only the session of a run it is executing now (this attempt, under way).
 */
import type { Context } from 'hono';
import type { WorkflowRunRow } from '../../../db/schema/index.ts';
import type { AppEnv } from '../../../env.ts';
import { AppError } from '../../../errors.ts';
import { randomToken, secretsEqual, sha256Hex } from '../../crypto.ts';

export const RUN_LEASE_HEADER = 'x-bpane-run-lease';

/** A new lease secret and the hash the run keeps. */
export async function newRunLease(): Promise<{ token: string; hash: string }> {
  const token = randomToken(32);
  return { token, hash: await sha256Hex(token) };
}

/** The hash of the lease the caller shows, or null without one. */
export async function shownLeaseHash(c: Context<AppEnv>): Promise<string | null> {
  const token = c.req.header(RUN_LEASE_HEADER);
  return token ? sha256Hex(token) : null;
}

/** `stale_attempt` unless the caller shows the lease of the run's current attempt. */
export async function requireRunLease(c: Context<AppEnv>, run: WorkflowRunRow): Promise<void> {
  const shown = await shownLeaseHash(c);
  if (!shown || !run.leaseTokenHash || !(await secretsEqual(shown, run.leaseTokenHash)))
    throw new AppError(
      'stale_attempt',
      `only the worker holding this attempt's lease (${RUN_LEASE_HEADER}) reaches the run's session`,
    );
}
