/**
 * The workflow worker: graphile-worker's runners over the edge's job queue — `workflow_run` and
 * `workflow_source` jobs (`concurrency` at once), `webhook_delivery` jobs (a runner of their own) —
 * LISTEN/NOTIFY plus polling; `WORKFLOW_WORKER_JOBS` picks which. Stopping kills the entrypoints in
 * flight and gives their runs back to the edge (another worker retries them).
 */
import { join } from 'node:path';
import { Logger, type Runner, run } from 'graphile-worker';
import type { WorkerConfig } from './config.ts';
import { edgeApi } from './edge.ts';
import { compileChild } from './executors/child-build.ts';
import { PlaywrightExecutor } from './executors/playwright.ts';
import { type RunDeps, runJob } from './run-job.ts';
import { isSourcePayload, resolveSource } from './source/source-job.ts';
import { startWebhookRunner } from './webhooks/runner.ts';

export interface RunningWorker {
  /** Runs and sources (absent when `WORKFLOW_WORKER_JOBS` leaves out `runs`). */
  readonly runner: Runner | undefined;
  /** Webhook deliveries (absent when `WORKFLOW_WORKER_JOBS` leaves out `webhooks`). */
  readonly webhooks: Runner | undefined;
  stop(): Promise<void>;
}

export async function startWorkflowWorker(
  config: WorkerConfig,
  log: (line: string) => void,
): Promise<RunningWorker> {
  const { api } = edgeApi(config);
  const script = await compileChild(join(config.dataDir, 'bin')).catch((error: Error) => {
    log(`the entrypoint process could not be compiled (${error.message}); it runs under tsx`);
    return undefined;
  });
  const playwright = new PlaywrightExecutor(
    config.memoryMb,
    config.dataDir,
    config.concurrency,
    script,
  );
  if (config.jobs.includes('runs')) playwright.prewarm();
  const deps: RunDeps = { api, config, playwright, log, active: new Set() };
  const logger = new Logger((scope) => (level, message) => {
    if (level === 'error' || level === 'warning')
      log(`[queue ${level}] ${message}${scope.taskIdentifier ? ` (${scope.taskIdentifier})` : ''}`);
  });
  const runner = !config.jobs.includes('runs')
    ? undefined
    : await run({
        connectionString: config.databaseUrl,
        concurrency: config.concurrency,
        pollInterval: config.pollIntervalMs,
        noHandleSignals: true,
        logger,
        taskList: {
          workflow_run: async (payload) => {
            const id = (payload as { run_id?: unknown })?.run_id;
            if (typeof id !== 'string') return;
            await runJob(deps, id);
          },
          workflow_source: async (payload) => {
            if (!isSourcePayload(payload)) return;
            await resolveSource(
              api,
              payload,
              { protocols: config.gitProtocols, timeoutMs: config.gitTimeoutMs },
              log,
            );
          },
        },
      });
  const webhooks = config.jobs.includes('webhooks')
    ? await startWebhookRunner(config, api, logger, log)
    : undefined;
  log(
    `workflow worker ${config.workerId}: ${runner ? config.concurrency : 0} runs and ${webhooks ? config.webhookConcurrency : 0} webhook deliveries at once, polling every ${config.pollIntervalMs} ms`,
  );
  return {
    runner,
    webhooks,
    async stop() {
      // Runs in flight go back to the edge (pending again, or failed when out of attempts).
      const inFlight = [...deps.active];
      for (const a of inFlight) {
        await api
          .transitionWorkflowRunState({
            params: { run_id: a.runId },
            body: {
              state: 'pending',
              attempt: a.attempt,
              reason: 'worker_shutdown',
              message: `worker ${config.workerId} stopped`,
            },
          })
          .catch(() => {});
        a.stop('shutdown');
      }
      playwright.close();
      await Promise.all([runner?.stop(), webhooks?.stop()]);
    },
  };
}
