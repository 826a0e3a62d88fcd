/** Who is calling. */
import { z } from '../fields.ts';
import { named } from '../registry.ts';

export const Identity = named(
  'IdentityPrincipal',
  z.strictObject({
    subject: z.string(),
    issuer: z.string(),
    display_name: z.string().nullable(),
    client_id: z.string().nullable(),
    principal_type: z.enum(['user', 'service_principal', 'legacy_dev_token']),
  }),
  'The principal the bearer token names. No secrets or raw claims.',
);

export const Me = named(
  'Me',
  z.object({
    principal_id: z.string(),
    name: z.string(),
    kind: z.enum(['user', 'service']),
    issuer: z.string(),
  }),
  'Ours: the principal the bearer token names (see also `GET /api/v1/identity/me`).',
);
