/**
 * The `webhook_delivery` job: take the attempt from the edge (signed there), send it, report how
 * it went. The edge schedules the next attempt (backoff, limit, dead state). When the edge cannot
 * be reached the job throws and graphile-worker retries it later: the delivery row is not lost.
 */
import { ApiError } from '@browserpane/api';
import type { Api } from '../edge.ts';
import { sendDelivery } from './send.ts';

export function isDeliveryPayload(payload: unknown): payload is { delivery_id: string } {
  return typeof (payload as { delivery_id?: unknown })?.delivery_id === 'string';
}

export async function deliverWebhook(
  api: Api,
  deliveryId: string,
  workerId: string,
  log: (line: string) => void,
): Promise<void> {
  let claimed: Awaited<ReturnType<Api['claimWorkflowEventDelivery']>>;
  try {
    claimed = await api.claimWorkflowEventDelivery({
      params: { delivery_id: deliveryId },
      body: { worker_id: workerId },
    });
  } catch (error) {
    // Delivered, dead, not due, or its subscription deleted: nothing to send.
    if (error instanceof ApiError && (error.status === 409 || error.status === 404)) return;
    throw error;
  }
  const result = await sendDelivery(claimed);
  if (result.error)
    log(`webhook delivery ${deliveryId} attempt ${claimed.attempt_number}: ${result.error}`);
  try {
    await api.reportWorkflowEventDeliveryAttempt({
      params: { delivery_id: deliveryId },
      body: { attempt_number: claimed.attempt_number, ...result },
    });
  } catch (error) {
    // The subscription was deleted meanwhile (404), or the attempt is no longer current (409).
    if (error instanceof ApiError && (error.status === 409 || error.status === 404)) return;
    throw error;
  }
}
