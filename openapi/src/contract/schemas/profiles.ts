/** A session's portable browser profile, as its host saves and restores it. */
import { count, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';

/** Largest profile archive (encrypted, compressed) a host may store. */
export const PROFILE_ARCHIVE_MAX_BYTES = 512 * 1024 * 1024;

/** A SHA-256 digest in lowercase hex. */
const sha256 = () =>
  z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits' });

const transfer = {
  url: z.string().meta({
    description:
      "A presigned store URL (absolute, no credential needed), else the edge's path (the host credential as bearer).",
  }),
  presigned: z.boolean(),
  expires_at: timestamp().nullable().meta({ description: 'When a presigned link expires.' }),
};

/** Where the host moves an archive's bytes: the edge's own route, or a presigned store URL. */
export const ProfileTransfer = named('ProfileTransfer', z.object(transfer));

export const SavedProfile = named(
  'SavedProfile',
  z.object({
    revision: uuid(),
    size: count(),
    sha256: sha256(),
    host_id: uuid().nullable(),
    saved_at: timestamp(),
  }),
);

export const SessionProfileAccess = named(
  'SessionProfileAccess',
  z.object({
    key: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/)
      .meta({
        description:
          "The session's profile key: 32 bytes, base64url. The host encrypts archives with it (AES-256-GCM) before they leave it; the edge keeps it wrapped with `CREDENTIALS_KEK`.",
      }),
    saved: SavedProfile.nullable().meta({ description: 'The last saved archive, if any.' }),
    download: ProfileTransfer.nullable().meta({ description: 'Where to fetch `saved`.' }),
    upload: z.object({ revision: uuid(), max_bytes: count(), ...transfer }).meta({
      description:
        'Where to put the next archive (PUT; after a presigned PUT, commit it). `revision` orders saves: a revision older than the saved one is refused.',
    }),
  }),
);

export const HostSessionProfileParams = z.strictObject({ host_id: uuid(), session_id: uuid() });

export const HostProfileRevisionParams = z.strictObject({
  host_id: uuid(),
  session_id: uuid(),
  revision: uuid(),
});

export const CommitProfileRequest = named(
  'CommitProfileRequest',
  z.strictObject({ size: count(), sha256: sha256() }),
);
