import { routes } from '@browserpane/api/contract';
import type { Context, Hono } from 'hono';
import { config, edgeOrigin } from '../config.ts';
import type { WorkflowRunRow } from '../db/schema/index.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { implement } from '../http/route.ts';
import { checkedStream } from '../services/artifacts/content-check.ts';
import { mapStoreError, requireArtifactStore } from '../services/artifacts/index.ts';
import { cdpGatewayUrl, mintTicket } from '../services/tickets.ts';
import {
  claimRun,
  failVersion,
  heartbeat,
  loadRun,
  loadVersionById,
  reportState,
  requireWorkflowWorker,
  resolveVersion,
  runResourceOf,
  snapshotKey,
} from '../services/workflows/index.ts';
import { newRunLease, requireRunLease } from '../services/workflows/runs/run-lease.ts';

const NO_STORE = { 'cache-control': 'no-store' };
const SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024;

function worker(c: Context<AppEnv>): void {
  requireWorkflowWorker(c);
}

/** The workflow worker's side: take, keep and report runs; deliver resolved sources. */
export function workflowWorkerRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.claimWorkflowRun, async (c, { params, body }) => {
    worker(c);
    const db = c.var.db();
    const cfg = config(c.env);
    const pending = await loadRun(db, params.run_id);
    const version = await loadVersionById(db, pending.versionId);
    const lease = await newRunLease();
    const row = await claimRun(
      db,
      pending.id,
      body.worker_id,
      version,
      cfg,
      new Date(),
      lease.hash,
    );
    // Independent of each other: the run's view and (when the browser is up) its session's ticket.
    const [run, automation] = await Promise.all([
      runResourceOf(db, row),
      automationAccess(c, row).catch(() => null),
    ]);
    return {
      status: 200,
      headers: NO_STORE,
      body: {
        run,
        attempt: row.attempt,
        lease_expires_at: (row.leaseExpiresAt as Date).toISOString(),
        cancel_requested: row.cancelRequestedAt !== null,
        lease_ms: cfg.workflowLeaseMs,
        lease_token: lease.token,
        version: {
          id: version.id,
          executor: version.executor,
          entrypoint: version.entrypoint,
          timeout_ms: version.timeoutMs,
          memory_mb: version.memoryMb,
          snapshot_sha256: version.snapshotSha256 ?? '',
          snapshot_path: `/api/v1/workflow-runs/${row.id}/source-snapshot/content`,
          output_schema: version.outputSchema ?? null,
        },
        resolutions: row.resolutions,
        resume_from: row.resumeFrom ?? null,
        // The session's browser is up: the ticket comes with the claim (else the worker asks).
        automation,
      },
    };
  });

  implement(app, routes.heartbeatWorkflowRun, async (c, { params, body }) => {
    worker(c);
    const db = c.var.db();
    const row = await heartbeat(db, params.run_id, body.attempt, config(c.env), new Date());
    return {
      status: 200,
      body: {
        run: await runResourceOf(db, row),
        attempt: row.attempt,
        lease_expires_at: (row.leaseExpiresAt ?? new Date()).toISOString(),
        cancel_requested: row.cancelRequestedAt !== null,
      },
    };
  });

  implement(app, routes.transitionWorkflowRunState, async (c, { params, body }) => {
    worker(c);
    const db = c.var.db();
    const row = await reportState(
      db,
      params.run_id,
      body,
      async () =>
        (await loadVersionById(db, (await loadRun(db, params.run_id)).versionId)).outputSchema,
      config(c.env),
      new Date(),
    );
    return { status: 200, body: await runResourceOf(db, row) };
  });

  implement(app, routes.issueWorkflowRunAutomationAccess, async (c, { params, body }) => {
    worker(c);
    const db = c.var.db();
    const run = await loadRun(db, params.run_id);
    if (body.attempt !== run.attempt)
      throw new AppError(
        'stale_attempt',
        `attempt ${body.attempt} is over; the run is on attempt ${run.attempt}`,
      );
    await requireRunLease(c, run);
    if (!['starting', 'running', 'awaiting_input'].includes(run.state))
      throw new AppError(
        'run_state_conflict',
        `the run is ${run.state}; it has no browser to drive`,
      );
    return { status: 200, headers: NO_STORE, body: await automationAccess(c, run) };
  });

  implement(app, routes.storeWorkflowSourceSnapshot, async (c, { params }) => {
    worker(c);
    const db = c.var.db();
    const version = await loadVersionById(db, params.version_id);
    if (version.snapshotState !== 'resolving')
      throw new AppError('run_state_conflict', 'this source is not waiting to be resolved');
    const length = c.req.header('content-length') ?? '';
    const sha = c.req.header('x-snapshot-sha256') ?? '';
    const commit = c.req.header('x-resolved-commit') ?? '';
    const files = c.req.header('x-snapshot-file-count') ?? '';
    if (!/^\d{1,9}$/.test(length))
      throw new AppError('validation_failed', 'a content-length header is required');
    if (Number(length) > SNAPSHOT_MAX_BYTES)
      throw new AppError(
        'payload_too_large',
        `a snapshot must be at most ${SNAPSHOT_MAX_BYTES} bytes`,
      );
    if (!/^[0-9a-f]{64}$/.test(sha))
      throw new AppError('validation_failed', 'x-snapshot-sha256 must be 64 lowercase hex digits');
    if (!/^[0-9a-f]{40}$/.test(commit))
      throw new AppError('validation_failed', 'x-resolved-commit must be a 40-digit commit SHA');
    if (!/^\d{1,6}$/.test(files))
      throw new AppError('validation_failed', 'x-snapshot-file-count must be a number');
    const store = requireArtifactStore(c.env);
    const key = snapshotKey(sha);
    const size = Number(length);
    if (await store.head(key).catch(mapStoreError)) await c.req.raw.body?.cancel();
    else {
      const checked = checkedStream(
        c.req.raw.body ?? new ReadableStream({ start: (k) => k.close() }),
        { size, sha256: sha },
      );
      await store
        .put(key, checked.stream, { contentType: 'application/gzip', size, sha256: sha })
        .catch(mapStoreError);
      await checked.verdict.catch(mapStoreError);
    }
    const row = await resolveVersion(
      db,
      version,
      { sha256: sha, bytes: size, fileCount: Number(files), commit },
      new Date(),
    );
    return {
      status: 200,
      body: {
        version_id: row.id,
        state: row.snapshotState,
        sha256: row.snapshotSha256,
        bytes: row.snapshotBytes,
        resolved_commit: row.gitSource?.resolved_commit ?? null,
      },
    };
  });

  implement(app, routes.failWorkflowSource, async (c, { params, body }) => {
    worker(c);
    const db = c.var.db();
    const version = await loadVersionById(db, params.version_id);
    const row = await failVersion(db, version, body.code, body.message);
    return {
      status: 200,
      body: {
        version_id: row.id,
        state: row.snapshotState,
        sha256: null,
        bytes: null,
        resolved_commit: null,
      },
    };
  });
}

/** An automation ticket for the run's session, on behalf of the run's owner. */
async function automationAccess(c: Context<AppEnv>, run: WorkflowRunRow) {
  const cfg = config(c.env);
  const onBehalf = {
    id: run.ownerId,
    name: `workflow run ${run.id.slice(-12)}`,
    kind: 'service' as const,
    issuer: run.ownerIssuer,
  };
  const ticket = await mintTicket(
    c.var,
    c.env,
    cfg,
    edgeOrigin(cfg, c.req.url),
    onBehalf,
    run.sessionId,
    'automation',
    new Date(),
    { ownerMayAutomate: true },
  );
  const path = `/api/v1/sessions/${run.sessionId}`;
  return {
    session_id: ticket.session_id,
    token_type: 'session_automation_access_token' as const,
    token: ticket.token,
    expires_at: ticket.expires_at,
    automation: {
      endpoint_url:
        ticket.cdp_url ?? cdpGatewayUrl(ticket.relay_url, ticket.session_id, ticket.token),
      protocol: 'chrome_devtools_protocol',
      auth_type: 'session_automation_access_token',
      auth_header: 'x-bpane-automation-access-token',
      status_path: `${path}/status`,
      mcp_owner_path: `${path}/mcp-owner`,
      compatibility_mode: 'session_runtime_pool',
    } as const,
    host_id: ticket.host_id,
    relay_url: ticket.relay_url,
    cert_sha256: ticket.cert_sha256,
  };
}
