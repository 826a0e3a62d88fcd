/** Who is a workflow worker: a service principal whose client id the edge lists. */
import type { Context } from 'hono';
import { config } from '../../config.ts';
import type { AppEnv } from '../../env.ts';
import { AppError } from '../../errors.ts';
import type { Principal } from '../oidc/principal.ts';

export function isWorkflowWorker(c: Context<AppEnv>, principal: Principal = c.var.principal) {
  return (
    principal.kind === 'service' &&
    typeof principal.clientId === 'string' &&
    config(c.env).workflowWorkerClientIds.includes(principal.clientId)
  );
}

/** 403 unless the caller is a workflow worker. */
export function requireWorkflowWorker(c: Context<AppEnv>): void {
  if (!isWorkflowWorker(c))
    throw new AppError(
      'workflow_worker_required',
      'only a workflow worker (a service principal named in WORKFLOW_WORKER_CLIENT_IDS) may do this',
    );
}
