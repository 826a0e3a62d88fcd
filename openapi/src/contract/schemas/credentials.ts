/**
 * Credential bindings: the reference's v1 members (digest §11, §8.A `credential_bindings[]`) and
 * ours beside them (`kind`, `fingerprint`, the `read` injection mode, the worker's resolution).
 * The secret goes in once (`secret_payload`) and never comes back out of an owner route.
 */
import { integer, text, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';
import { Labels } from './common.ts';

export const CREDENTIAL_KINDS = ['password', 'secret', 'cookies', 'storage', 'totp'] as const;
export const INJECTION_MODES = [
  'form_fill',
  'cookie_seed',
  'storage_seed',
  'totp_fill',
  'read',
] as const;

export const CredentialKind = named('CredentialBindingKind', z.enum(CREDENTIAL_KINDS));
export const CredentialInjectionMode = named(
  'CredentialInjectionMode',
  z.enum(INJECTION_MODES).meta({
    description:
      'How a run may use the secret. `form_fill`: the worker types a password binding into a login form over CDP (`credentials.fill`); `cookie_seed` / `storage_seed`: the worker sets the cookies / web storage (`credentials.seedCookies`, `credentials.seedStorage`); `totp_fill`: the entrypoint gets one-time codes (`credentials.totp`) or the worker types one (`credentials.fillTotp`). These four never hand the secret to the entrypoint and work only on a page whose origin is in `allowed_origins`. Ours: `read`: the entrypoint gets the secret itself (`credentials.get`).',
  }),
);
export const CredentialProvider = named(
  'CredentialBindingProvider',
  z.enum(['vault_kv_v2']).meta({
    description:
      "The reference's one provider: a KV v2 secret store. Where the edge has HashiCorp Vault / OpenBao (`VAULT_ADDR`), the secret is written there; an edge without one keeps it in its own encrypted store, which stands in for KV v2 (`secret_store` says which holds it).",
  }),
);
export const CredentialProviderChoice = named(
  'CredentialBindingProviderChoice',
  z.enum(['vault_kv_v2', 'local']).meta({
    description:
      "`vault_kv_v2` (the reference's value) or omitted: the edge's secret store (Vault / OpenBao when `VAULT_ADDR` is set, else its own encrypted store). Ours: `local` keeps the secret in the edge's own encrypted store even where Vault is configured.",
  }),
);
export const SecretStore = named(
  'CredentialSecretStore',
  z.enum(['local', 'vault']).meta({
    description:
      "Ours: where the secret is kept. `local`: the edge's database, encrypted (AES-256-GCM, a data key per binding wrapped by `CREDENTIALS_KEK`). `vault`: HashiCorp Vault / OpenBao KV v2 (`VAULT_ADDR`), one secret per binding; the edge's database keeps only metadata.",
  }),
);

export const TotpParameters = named(
  'CredentialTotpParameters',
  z.strictObject({
    issuer: text({ max: 200 }).nullable().optional(),
    account_name: text({ max: 200 }).nullable().optional(),
    period_sec: integer(1, 300).nullable().optional().meta({ description: 'Default 30.' }),
    digits: integer(6, 10).nullable().optional().meta({ description: 'Default 6.' }),
    algorithm: z
      .enum(['SHA1', 'SHA256', 'SHA512'])
      .nullable()
      .optional()
      .meta({ description: 'Ours (RFC 6238 allows all three); default SHA1.' }),
  }),
);

const TotpView = z.object({
  issuer: z.string().nullable().optional(),
  account_name: z.string().nullable().optional(),
  period_sec: z.int().nullable().optional(),
  digits: z.int().nullable().optional(),
  algorithm: z.string().nullable().optional(),
});

export const CreateCredentialBindingRequest = named(
  'CreateCredentialBindingRequest',
  z.strictObject({
    project_id: z.null({ error: 'must be null: projects are not available yet' }).optional(),
    name: text({
      min: 1,
      max: 128,
      pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      hint: 'letters, digits and . _ - (starting with a letter or digit)',
    }).meta({
      description: "Unique among the owner's bindings; runs use it: `credentials.get(name)`.",
    }),
    provider: CredentialProviderChoice.optional(),
    external_ref: text({ max: 1024 }).nullable().optional().meta({
      description:
        "A reference to an existing secret in an external provider (not supported, `credential_provider_unsupported`: a path of the edge's own Vault token would let one owner name another's secret; omit it and send `secret_payload`, which the edge writes to its store itself).",
    }),
    namespace: text({ max: 256 }).nullable().optional(),
    kind: CredentialKind.optional().meta({
      description:
        'Ours: the shape of `secret_payload`. `password` `{ username, password }`, `secret` `{ value }`, `cookies` `{ cookies: [{ name, value, path?, domain?, secure?, http_only?, same_site?, expires? }] }`, `storage` `{ local_storage?: {…}, session_storage?: {…} }`, `totp` `{ seed }` (base32). Default: from `injection_mode` (`form_fill` → password, `cookie_seed` → cookies, `storage_seed` → storage, `totp_fill` → totp, `read` → secret).',
    }),
    allowed_origins: z
      .array(text({ min: 1, max: 2048 }))
      .max(32)
      .optional()
      .meta({
        description:
          'Origins (`https://login.example.com`, scheme://host[:port], no path) where the worker may use the secret; at least one for every injection mode but `read`.',
      }),
    injection_mode: CredentialInjectionMode.optional().meta({
      description:
        'Required by the reference; here it defaults from `kind` (password → form_fill, secret → read, cookies → cookie_seed, storage → storage_seed, totp → totp_fill).',
    }),
    totp: TotpParameters.nullable().optional(),
    secret_payload: z.unknown().optional().meta({
      description:
        'The secret, shaped by `kind` (at most 32 KiB as JSON). Stored encrypted; no route ever returns it (only `fingerprint`).',
    }),
    labels: Labels.optional(),
  }),
);

export const CredentialBinding = named(
  'CredentialBinding',
  z.object({
    id: uuid(),
    project_id: z.null(),
    project: z.null(),
    name: z.string(),
    provider: CredentialProvider,
    secret_store: SecretStore,
    external_ref: z.string().meta({
      description:
        'The provider-managed reference: where `secret_store` is `vault`, `<mount>/<path>` (`vault kv get -mount=<mount> <path>`); where it is `local`, `browserpane:credential-bindings/<id>`.',
    }),
    namespace: z.string().nullable(),
    allowed_origins: z.array(z.string()),
    injection_mode: CredentialInjectionMode,
    totp: TotpView.nullable(),
    labels: z.record(z.string(), z.string()),
    kind: CredentialKind.meta({ description: 'Ours.' }),
    fingerprint: z.string().meta({
      description:
        'Ours: an opaque keyed digest of the secret (HMAC-SHA-256 under a key derived from the key-encryption key in use when it was stored): equal secrets stored under the same key show the same fingerprint; it reveals nothing about the secret.',
    }),
    created_at: timestamp(),
    updated_at: timestamp(),
  }),
);

export const CredentialBindingList = named(
  'CredentialBindingList',
  z.object({ credential_bindings: z.array(CredentialBinding) }),
);

export const CredentialBindingParams = z.strictObject({ binding_id: uuid() });

/** A binding as a run shows it (`credential_bindings[]` of the run resource): no secret. */
export const RunCredentialBinding = named(
  'WorkflowRunCredentialBinding',
  z.object({
    id: uuid(),
    project_id: z.null(),
    name: z.string(),
    provider: CredentialProvider,
    secret_store: SecretStore,
    namespace: z.string().nullable(),
    allowed_origins: z.array(z.string()),
    injection_mode: CredentialInjectionMode,
    totp: TotpView.nullable(),
    kind: CredentialKind.meta({ description: 'Ours.' }),
    resolve_path: z.string().meta({
      description:
        "The workflow worker's route that returns the secret (`POST`, only for the worker holding the run's current lease).",
    }),
  }),
);

export const RunCredentialParams = z.strictObject({ run_id: uuid(), binding_id: uuid() });

export const ResolveCredentialRequest = named(
  'ResolveCredentialRequest',
  z.strictObject({
    attempt: z.int().min(1),
    worker_id: text({ min: 1, max: 200 }).meta({
      description: 'The worker id the run was claimed with: only that worker resolves.',
    }),
  }),
);

export const ResolvedCredential = named(
  'ResolvedCredential',
  z.object({
    binding: RunCredentialBinding,
    payload: z.unknown().meta({ description: 'The secret, shaped by `binding.kind`.' }),
  }),
);

export const RewrapResult = named(
  'CredentialRewrapResult',
  z.object({
    key_id: z.string().meta({ description: "The current key-encryption key's id." }),
    credential_bindings: z.object({
      rewrapped: z.int().min(0),
      current: z.int().min(0),
      failed: z.array(uuid()).meta({
        description: 'Bindings no configured key opens (they stay as they are).',
      }),
    }),
    session_profiles: z.object({
      rewrapped: z.int().min(0),
      current: z.int().min(0),
      failed: z.array(uuid()),
    }),
    webhook_subscriptions: z
      .object({
        rewrapped: z.int().min(0),
        current: z.int().min(0),
        failed: z.array(uuid()),
      })
      .meta({
        description: 'Signing secrets of workflow event subscriptions (current and rotated-out).',
      }),
  }),
);

export type CredentialBinding = z.output<typeof CredentialBinding>;
