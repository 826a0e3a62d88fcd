/** The reference's `outcome` classification of an ended run, from its state and reason. */
import type { WorkflowRun } from '@browserpane/api/contract';
import type { WorkflowRunRow } from '../../../db/schema/index.ts';

type Category = NonNullable<WorkflowRun['outcome']>['category'];

const BY_REASON: Record<string, { category: Category; retryable: boolean }> = {
  worker_lost: { category: 'retryable_technical_failure', retryable: true },
  memory_limit: { category: 'permanent_technical_failure', retryable: false },
  runtime_failure: { category: 'retryable_technical_failure', retryable: true },
  session_unavailable: { category: 'retryable_technical_failure', retryable: true },
  source_unavailable: { category: 'retryable_technical_failure', retryable: true },
  rejected: { category: 'external_intervention_required', retryable: false },
  intervention_timeout: { category: 'external_intervention_required', retryable: false },
  output_invalid: { category: 'validation_failure', retryable: false },
  entrypoint_failed: { category: 'business_failure', retryable: false },
};

export function outcomeOf(row: WorkflowRunRow): WorkflowRun['outcome'] {
  const message = (row.error ?? row.reason ?? row.state).slice(0, 512);
  const base = { details: null, retry_after_seconds: null, caused_by: null };
  switch (row.state) {
    case 'succeeded':
      return {
        ...base,
        category: 'success',
        code: 'succeeded',
        message: 'the run succeeded',
        retryable: false,
      };
    case 'cancelled':
      return { ...base, category: 'cancellation', code: 'cancelled', message, retryable: false };
    case 'timed_out':
      return {
        ...base,
        category: 'timeout',
        code: row.reason ?? 'timed_out',
        message,
        retryable: true,
      };
    case 'failed': {
      const known = BY_REASON[row.reason ?? ''] ?? {
        category: 'business_failure' as const,
        retryable: false,
      };
      return { ...base, ...known, code: (row.reason ?? 'failed').slice(0, 128), message };
    }
    default:
      return null;
  }
}
