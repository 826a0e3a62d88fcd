/** Shapes every part of the API shares: the error body, principals, viewports, ids. */
import { count, integer, jsonObject, text, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';

/** A principal as our own resources name it. */
export const PrincipalRef = named(
  'PrincipalRef',
  z.object({ principal_id: z.string(), display_name: z.string() }),
);

/** A viewport as a client asks for one (the runtime's X display bounds). */
export const ViewportRequest = named(
  'ViewportRequest',
  z.strictObject({ width: integer(320, 7680), height: integer(200, 4320) }),
);

export const Viewport = named('Viewport', z.object({ width: z.int(), height: z.int() }));

const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$/;

export const labelKey = () =>
  text({ min: 1, max: 63, pattern: LABEL_KEY, hint: 'a label key (letters, digits, . _ / -)' });

export const Labels = z
  .record(labelKey(), text({ max: 256 }), { error: 'must be an object of label strings' })
  .refine((labels) => Object.keys(labels).length <= 32, { error: 'must have at most 32 entries' });

export const REGION = () =>
  text({
    min: 1,
    max: 64,
    pattern: /^[a-z0-9][a-z0-9-]*$/,
    hint: 'lowercase letters, digits and dashes',
  });

export const SessionIdParams = z.strictObject({ session_id: uuid() });

export const OkTrue = z.literal(true);

export { count, jsonObject, timestamp, uuid };
