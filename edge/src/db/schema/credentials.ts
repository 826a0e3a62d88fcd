import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamps } from './columns.ts';

export type CredentialKind = 'password' | 'secret' | 'cookies' | 'storage' | 'totp';
export type InjectionMode = 'form_fill' | 'cookie_seed' | 'storage_seed' | 'totp_fill' | 'read';

export type CredentialProvider = 'local' | 'vault_kv_v2';

/** Where a `vault_kv_v2` binding's secret lives: a KV v2 mount and the path under it. */
export interface VaultSecretRef {
  mount: string;
  path: string;
}

export interface TotpSpec {
  issuer?: string | null;
  account_name?: string | null;
  period_sec?: number | null;
  digits?: number | null;
  algorithm?: 'SHA1' | 'SHA256' | 'SHA512' | null;
}

/**
 * A secret a workflow run may use, owner-scoped. Envelope encryption: `ciphertext` is the secret
 * (JSON) sealed with a data key of its own (AES-256-GCM), `wrapped_key` that data key wrapped by
 * the edge's key-encryption key (its id inside); both carry the binding's id and owner as
 * associated data. Neither this table nor any answer holds the secret in the clear.
 * A `vault_kv_v2` binding keeps its secret in HashiCorp Vault / OpenBao instead: its row holds only
 * metadata and `vault_ref` (no ciphertext, no wrapped key).
 */
export const credentialBindings = pgTable(
  'credential_bindings',
  {
    id: uuid().primaryKey(),
    ownerId: text().notNull(),
    ownerIssuer: text().notNull(),
    name: text().notNull(),
    kind: text().$type<CredentialKind>().notNull(),
    provider: text().$type<CredentialProvider>().notNull(),
    namespace: text(),
    injectionMode: text().$type<InjectionMode>().notNull(),
    allowedOrigins: jsonb().$type<string[]>().notNull(),
    totp: jsonb().$type<TotpSpec>(),
    labels: jsonb().$type<Record<string, string>>().notNull(),
    /** `local` only (null for `vault_kv_v2`). */
    ciphertext: text(),
    /** `local` only (null for `vault_kv_v2`). */
    wrappedKey: text(),
    /** The id of the key-encryption key that wrapped `wrapped_key` (rotation finds old rows by it). */
    kekId: text(),
    /** `vault_kv_v2` only: where the secret is. */
    vaultRef: jsonb().$type<VaultSecretRef>(),
    fingerprint: text().notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('credential_bindings_owner_name_idx').on(t.ownerId, t.name),
    index('credential_bindings_kek_idx').on(t.kekId),
    check(
      'credential_bindings_kind_check',
      sql`${t.kind} in ('password', 'secret', 'cookies', 'storage', 'totp')`,
    ),
    check(
      'credential_bindings_store_check',
      sql`(${t.provider} = 'local' and ${t.ciphertext} is not null and ${t.wrappedKey} is not null and ${t.kekId} is not null and ${t.vaultRef} is null) or (${t.provider} = 'vault_kv_v2' and ${t.vaultRef} is not null and ${t.ciphertext} is null and ${t.wrappedKey} is null)`,
    ),
  ],
);

export type CredentialBindingRow = typeof credentialBindings.$inferSelect;
