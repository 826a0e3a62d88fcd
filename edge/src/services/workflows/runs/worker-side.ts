/**
 * The workflow worker's side of a run: take it (a lease fenced by the attempt number), keep the
 * lease, and report its state. Reports from an older attempt are refused (`stale_attempt`): a
 * worker that was taken for lost cannot overwrite what its successor does.
 */
import type { TransitionRunRequest } from '@browserpane/api/contract';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Config } from '../../../config.ts';
import type { Database, Tx } from '../../../db/client.ts';
import {
  type InterventionRow,
  type WorkflowRunRow,
  type WorkflowVersionRow,
  workflowRuns,
} from '../../../db/schema/index.ts';
import { AppError } from '../../../errors.ts';
import { uuidv7 } from '../../crypto.ts';
import { validateAgainst } from '../json-schema.ts';
import { addRunEvents } from './journal.ts';
import {
  type Changed,
  end,
  lockRun,
  requeueOrFail,
  runNotFound,
  transition,
  update,
} from './lifecycle.ts';
import { isTerminal } from './run-resource.ts';

export type TransitionInput = z.output<typeof TransitionRunRequest>;

const DEFAULT_HOLD_SEC = 900;
const MAX_HOLD_SEC = 7 * 24 * 3600;

export async function loadRun(db: Database | Tx, id: string): Promise<WorkflowRunRow> {
  const [row] = await db.select().from(workflowRuns).where(eq(workflowRuns.id, id));
  if (!row) throw runNotFound();
  return row;
}

function fence(run: WorkflowRunRow, attempt: number | undefined): void {
  if (attempt !== undefined && attempt !== run.attempt)
    throw new AppError(
      'stale_attempt',
      `attempt ${attempt} is over; the run is on attempt ${run.attempt}`,
    );
}

/** A pending run becomes `starting` under a new attempt's lease. */
export async function claimRun(
  db: Database,
  id: string,
  workerId: string,
  version: WorkflowVersionRow,
  cfg: Config,
  now: Date,
  leaseTokenHash: string,
): Promise<WorkflowRunRow> {
  return transition(db, id, cfg, now, async (tx, run): Promise<Changed> => {
    if (run.state !== 'pending')
      throw new AppError(
        'run_state_conflict',
        `the run is ${run.state}; only a pending run is taken`,
      );
    const updated = await update(
      tx,
      run,
      {
        state: 'starting',
        reason: 'claimed',
        attempt: run.attempt + 1,
        workerId,
        leaseExpiresAt: new Date(now.getTime() + cfg.workflowLeaseMs),
        leaseTokenHash,
        executionDeadlineAt: run.executionDeadlineAt ?? new Date(now.getTime() + version.timeoutMs),
        runtimeRelease: null,
      },
      now,
    );
    await addRunEvents(
      tx,
      updated,
      [
        {
          type: 'starting',
          message: `taken by ${workerId}`,
          data: { worker_id: workerId, attempt: updated.attempt },
        },
      ],
      now,
    );
    return { row: updated, ended: false };
  });
}

/** Renews the lease of a run the worker holds; an ended run is answered as it is. */
export async function heartbeat(db: Database, id: string, attempt: number, cfg: Config, now: Date) {
  return db.transaction(async (tx) => {
    const run = await lockRun(tx, id);
    fence(run, attempt);
    if (isTerminal(run.state) || run.leaseExpiresAt === null) return run;
    return update(tx, run, { leaseExpiresAt: new Date(now.getTime() + cfg.workflowLeaseMs) }, now);
  });
}

function interventionOf(data: Record<string, unknown>, now: Date): InterventionRow {
  const req = (data.intervention_request ?? {}) as Record<string, unknown>;
  const hold = (data.runtime_hold ?? {}) as Record<string, unknown>;
  const mode = hold.mode === 'profile_restart' ? 'profile_restart' : 'live_runtime';
  if (
    hold.mode !== undefined &&
    !['live', 'live_runtime', 'profile_restart'].includes(String(hold.mode))
  )
    throw new AppError(
      'validation_failed',
      'data.runtime_hold.mode must be live, live_runtime or profile_restart',
    );
  const timeout = hold.timeout_sec === undefined ? DEFAULT_HOLD_SEC : Number(hold.timeout_sec);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_HOLD_SEC)
    throw new AppError(
      'validation_failed',
      `data.runtime_hold.timeout_sec must be an integer between 1 and ${MAX_HOLD_SEC}`,
    );
  const requestId =
    typeof req.request_id === 'string' && /^[0-9a-f-]{36}$/.test(req.request_id)
      ? req.request_id
      : uuidv7(now.getTime());
  return {
    request_id: requestId,
    kind: typeof req.kind === 'string' && req.kind ? req.kind.slice(0, 64) : 'generic_input',
    prompt: typeof req.prompt === 'string' ? req.prompt.slice(0, 4000) : null,
    details: req.details ?? null,
    input_schema: req.input_schema ?? null,
    requested_at: now.toISOString(),
    hold: {
      mode,
      timeout_sec: timeout,
      hold_until: new Date(now.getTime() + timeout * 1000).toISOString(),
    },
  };
}

const FROM: Record<string, readonly string[]> = {
  running: ['starting'],
  awaiting_input: ['running'],
  succeeded: ['running'],
  failed: ['starting', 'running', 'awaiting_input'],
  timed_out: ['starting', 'running', 'awaiting_input'],
  cancelled: ['starting', 'running', 'awaiting_input'],
  pending: ['starting', 'running'],
};

/** The executor's report (the reference's state route). */
export async function reportState(
  db: Database,
  id: string,
  input: TransitionInput,
  outputSchema: () => Promise<unknown>,
  cfg: Config,
  now: Date,
): Promise<WorkflowRunRow> {
  const schema = input.state === 'succeeded' ? await outputSchema() : null;
  return transition(db, id, cfg, now, async (tx, run): Promise<Changed> => {
    fence(run, input.attempt);
    const allowed = FROM[input.state] ?? [];
    if (!allowed.includes(run.state))
      throw new AppError('run_state_conflict', `a ${run.state} run cannot become ${input.state}`);
    const data = (input.data ?? {}) as Record<string, unknown>;
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw new AppError('validation_failed', 'body.data must be a JSON object');
    const note = input.message ?? null;
    switch (input.state) {
      case 'running': {
        const updated = await update(
          tx,
          run,
          { state: 'running', reason: input.reason ?? 'running', startedAt: run.startedAt ?? now },
          now,
        );
        await addRunEvents(
          tx,
          updated,
          [{ type: 'running', message: note ?? 'the entrypoint runs' }],
          now,
        );
        return { row: updated, ended: false };
      }
      case 'awaiting_input': {
        const intervention = interventionOf(data, now);
        const profile = intervention.hold.mode === 'profile_restart';
        const updated = await update(
          tx,
          run,
          {
            state: 'awaiting_input',
            reason: 'input_requested',
            intervention,
            resumeFrom: (data.resume_from as Record<string, unknown> | undefined) ?? run.resumeFrom,
            ...(profile ? { leaseExpiresAt: null, workerId: null, leaseTokenHash: null } : {}),
          },
          now,
        );
        await addRunEvents(
          tx,
          updated,
          [
            {
              type: 'awaiting_input',
              message: intervention.prompt ?? note ?? 'input requested',
              data: { intervention_request: intervention },
            },
            {
              type: 'runtime_held',
              message: `${intervention.hold.mode} until ${intervention.hold.hold_until}`,
              data: intervention.hold,
            },
          ],
          now,
        );
        return { row: updated, ended: false, releaseRuntime: profile };
      }
      case 'succeeded': {
        const output = input.output === undefined ? null : input.output;
        try {
          validateAgainst(schema, output, 'output');
        } catch (error) {
          return end(
            tx,
            run,
            'failed',
            { reason: 'output_invalid', error: (error as Error).message, output },
            [],
            now,
          );
        }
        return end(
          tx,
          run,
          'succeeded',
          { reason: 'succeeded', output, artifactRefs: input.artifact_refs ?? run.artifactRefs },
          [],
          now,
          entrypointTime(input.data),
        );
      }
      case 'pending':
        return requeueOrFail(
          tx,
          run,
          input.reason ?? 'worker_shutdown',
          note ?? 'the worker gave the run back',
          now,
        );
      case 'cancelled':
        return end(
          tx,
          run,
          'cancelled',
          { reason: input.reason ?? (run.cancelRequestedAt ? 'cancel_requested' : 'cancelled') },
          [],
          now,
        );
      default:
        return end(
          tx,
          run,
          input.state as 'failed' | 'timed_out',
          {
            reason: input.reason ?? (input.state === 'timed_out' ? 'timeout' : 'entrypoint_failed'),
            error: input.error ?? note ?? input.state,
            ...(input.output !== undefined ? { output: input.output } : {}),
          },
          [],
          now,
        );
    }
  });
}

/**
 * What the worker measured, kept on the `succeeded` event (run overhead): the entrypoint's own
 * time, and where the rest went (`phases_ms`: at most 16 named durations; `claim_sent_at`, the
 * worker's wall clock when it asked for the run).
 */
function entrypointTime(data: unknown): Record<string, unknown> {
  const d = (data ?? {}) as {
    entrypoint_ms?: unknown;
    phases_ms?: unknown;
    claim_sent_at?: unknown;
  };
  const ms = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  const kept: Record<string, unknown> = ms(d.entrypoint_ms)
    ? { entrypoint_ms: Math.round(d.entrypoint_ms) }
    : {};
  if (d.phases_ms && typeof d.phases_ms === 'object' && !Array.isArray(d.phases_ms)) {
    const phases = Object.entries(d.phases_ms as Record<string, unknown>)
      .filter(([k, v]) => /^[a-z_]{1,40}$/.test(k) && ms(v))
      .slice(0, 16)
      .map(([k, v]) => [k, Math.round(v as number)]);
    if (phases.length > 0) kept.phases_ms = Object.fromEntries(phases);
  }
  if (ms(d.claim_sent_at)) kept.claim_sent_at = Math.round(d.claim_sent_at);
  return kept;
}
