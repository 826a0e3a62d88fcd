/** Sharing a session with people: invitations and links, each with a role and an expiry. */
import { integer, text, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';

export const ShareRole = z
  .enum(['viewer', 'collaborator'], { error: 'must be viewer or collaborator' })
  .meta({ description: '`viewer` watches; `collaborator` also drives (input, clipboard, files).' });

/** E-mail addresses as tokens carry them; matched case-insensitively. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export const CreateShareRequest = named(
  'CreateShareRequest',
  z
    .strictObject({
      role: ShareRole,
      subject: text({ min: 1, max: 255 })
        .optional()
        .meta({ description: "Invite the person whose token's `sub` is this." }),
      email: text({ min: 3, max: 320, pattern: EMAIL, hint: 'an e-mail address' }).optional().meta({
        description:
          'Invite the person whose token carries this `email` claim (not marked `email_verified: false`).',
      }),
      link: z
        .literal(true, { error: 'must be true' })
        .optional()
        .meta({ description: 'Make a link instead: whoever signs in and opens it gets the role.' }),
      expires_in_sec: integer(60, 90 * 24 * 3600)
        .optional()
        .meta({ description: 'The share ends this many seconds from now (default: never).' }),
    })
    .refine((b) => [b.subject, b.email, b.link].filter((v) => v !== undefined).length === 1, {
      error: 'give exactly one of subject, email or link',
    }),
  'Exactly one of `subject`, `email` or `link`.',
);

export const Share = named(
  'Share',
  z.object({
    id: uuid(),
    session_id: uuid(),
    kind: z.enum(['user', 'link']),
    role: ShareRole,
    subject: z.string().nullable(),
    email: z.string().nullable(),
    expires_at: timestamp().nullable(),
    created_at: timestamp(),
    used_by: z
      .array(z.object({ principal_id: z.string(), display_name: z.string() }))
      .meta({ description: 'The people who have used this share so far.' }),
    link_token: z.string().optional().meta({
      description:
        'Links, once (in the creating answer only): the secret to redeem. Only its hash is stored.',
    }),
    link_url: z.string().optional().meta({
      description: 'Links, once: the console URL that redeems the link (carries the secret).',
    }),
  }),
  "A person or a link the session's owner shared it with.",
);

export type Share = z.output<typeof Share>;

export const ShareList = named('ShareList', z.object({ shares: z.array(Share) }));

export const ShareIdParams = z.strictObject({ session_id: uuid(), share_id: uuid() });

export const RedeemShareRequest = named(
  'RedeemShareRequest',
  z.strictObject({
    token: text({
      min: 16,
      max: 128,
      pattern: /^[A-Za-z0-9_-]+$/,
      hint: 'a share link token (base64url)',
    }),
  }),
);

export const RedeemedShare = named(
  'RedeemedShare',
  z.object({ session_id: uuid(), role: ShareRole, expires_at: timestamp().nullable() }),
  'The session a redeemed link opens and the role it grants.',
);
