/**
 * Webhook deliveries' own graphile-worker runner: a run's job lasts as long as the run, and a
 * delivery must not wait behind runs for a free slot.
 */
import { type Logger, type Runner, run } from 'graphile-worker';
import type { WorkerConfig } from '../config.ts';
import type { Api } from '../edge.ts';
import { deliverWebhook, isDeliveryPayload } from './deliver-job.ts';

export function startWebhookRunner(
  config: WorkerConfig,
  api: Api,
  logger: Logger,
  log: (line: string) => void,
): Promise<Runner> {
  return run({
    connectionString: config.databaseUrl,
    concurrency: config.webhookConcurrency,
    pollInterval: config.pollIntervalMs,
    noHandleSignals: true,
    logger,
    taskList: {
      webhook_delivery: async (payload) => {
        if (!isDeliveryPayload(payload)) return;
        await deliverWebhook(api, payload.delivery_id, config.workerId, log);
      },
    },
  });
}
