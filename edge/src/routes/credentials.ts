import { routes } from '@browserpane/api/contract';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { implement } from '../http/route.ts';
import {
  bindingResource,
  createBinding,
  deleteBinding,
  listBindings,
  loadBinding,
  resolveGranted,
  rewrapAll,
} from '../services/credentials/index.ts';
import { loadRun, requireWorkflowWorker } from '../services/workflows/index.ts';
import { requireRunLease } from '../services/workflows/runs/run-lease.ts';
import { requireSecret } from './hosts.ts';

const NO_STORE = { 'cache-control': 'no-store' };

/** Credential bindings (owner-scoped), the worker's resolution, the operator's re-wrap. */
export function credentialRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.createCredentialBinding, async (c, { body }) => {
    const row = await createBinding(c.var.db(), c.env, c.var.principal, body, new Date());
    return {
      status: 201,
      body: bindingResource(row),
      headers: { location: `/api/v1/credential-bindings/${row.id}`, ...NO_STORE },
    };
  });

  implement(app, routes.listCredentialBindings, async (c) => {
    const rows = await listBindings(c.var.db(), c.var.principal);
    return { status: 200, body: { credential_bindings: rows.map(bindingResource) } };
  });

  implement(app, routes.getCredentialBinding, async (c, { params }) => {
    const row = await loadBinding(c.var.db(), params.binding_id, c.var.principal.id);
    return { status: 200, body: bindingResource(row) };
  });

  implement(app, routes.deleteCredentialBinding, async (c, { params }) => {
    const row = await deleteBinding(c.var.db(), c.env, params.binding_id, c.var.principal);
    return { status: 200, body: bindingResource(row) };
  });

  implement(app, routes.resolveWorkflowRunCredential, async (c, { params, body }) => {
    requireWorkflowWorker(c);
    const db = c.var.db();
    const run = await loadRun(db, params.run_id);
    // The worker id and attempt in the body are not secrets: the lease the claim handed to this
    // attempt's worker is what proves it holds the run.
    await requireRunLease(c, run);
    const resolved = await resolveGranted(db, c.env, run, params.binding_id, body, new Date());
    return { status: 200, headers: NO_STORE, body: resolved };
  });

  const operator = async (c: Context<AppEnv>) =>
    requireSecret(c.req.header('authorization'), c.env.OPERATOR_TOKEN, 'operator token');

  implement(
    app,
    routes.rewrapCredentials,
    async (c) => ({
      status: 200,
      headers: NO_STORE,
      body: await rewrapAll(c.var.db(), c.env),
    }),
    operator,
  );
}
