/** The one error body of the API. */
import { ERROR_CODE_NAMES } from '../errors.ts';
import { jsonObject, z } from '../fields.ts';
import { named } from '../registry.ts';
import { Session } from './session.ts';

export const ErrorCodeSchema = named(
  'ErrorCode',
  z.enum(ERROR_CODE_NAMES),
  'Stable machine-readable error code.',
);

/**
 * `error` is the human-readable message (what the reference's clients read); `code` is stable and
 * what clients branch on; `request_id` matches the `x-request-id` header. Safe-stop and release
 * conflicts (409) also carry the unchanged `session`, so the caller can read its stop blockers.
 */
export const ErrorBody = named(
  'Error',
  z.object({
    error: z.string().meta({ description: 'For people; may change.' }),
    code: ErrorCodeSchema,
    request_id: z.string(),
    details: jsonObject().optional().meta({
      description:
        'Actionable context: `stop_eligibility` (409 session_not_stoppable), `queue` (409 session_queued).',
    }),
    session: Session.optional().meta({
      description: 'The unchanged session (409 on stop, delete and release).',
    }),
  }),
);

export type ErrorBody = z.output<typeof ErrorBody>;
