/**
 * Where a credential binding's secret is kept, behind one interface: `local` (the default) seals
 * it with envelope encryption into the binding's Postgres row; `vault_kv_v2` (when `VAULT_ADDR`
 * is set) writes it to HashiCorp Vault / OpenBao KV v2 and leaves only metadata in Postgres. A
 * row names its provider, so rows of both kinds are read back after the setting changes.
 */
import type {
  CredentialBindingRow,
  CredentialProvider,
  VaultSecretRef,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import type { KekSettings } from '../keys/kek.ts';
import { localStore } from './local-store.ts';
import { type VaultEnv, vaultSettings } from './vault/settings.ts';
import { vaultStore } from './vault/store.ts';

/** Whose secret it is: what binds a stored secret to one binding row. */
export interface SecretOwner {
  id: string;
  ownerId: string;
  ownerIssuer: string;
}

/** What a binding's row keeps of its secret (the columns a store fills). */
export interface StoredSecret {
  provider: CredentialProvider;
  ciphertext: string | null;
  wrappedKey: string | null;
  kekId: string | null;
  vaultRef: VaultSecretRef | null;
}

export interface CredentialStore {
  readonly provider: CredentialProvider;
  /** Keeps a new binding's secret (a JSON value); answers what its row stores. */
  put(owner: SecretOwner, payload: unknown): Promise<StoredSecret>;
  /** The secret of a stored binding. */
  get(row: CredentialBindingRow): Promise<unknown>;
  /** Removes the secret for good (the row's own columns go with the row). */
  remove(row: Pick<CredentialBindingRow, 'id' | 'vaultRef'>): Promise<void>;
}

export type StoreSettings = KekSettings & VaultEnv;

/**
 * The store a new binding's secret goes to. The API's `provider` is the reference's one value,
 * `vault_kv_v2`, or none: either means the edge's store (Vault where configured, else its own
 * encrypted one, which stands in for KV v2); ours, `local`, asks for the edge's own store.
 */
export function chosenProvider(
  env: StoreSettings,
  requested: 'vault_kv_v2' | 'local' | undefined,
): CredentialProvider {
  if (requested === 'local') return 'local';
  return vaultSettings(env) ? 'vault_kv_v2' : 'local';
}

/** The API's `secret_store` of a row's provider. */
export function secretStore(provider: CredentialProvider | undefined): 'local' | 'vault' {
  return provider === 'vault_kv_v2' ? 'vault' : 'local';
}

export function storeFor(env: StoreSettings, provider: CredentialProvider): CredentialStore {
  if (provider === 'local') return localStore(env);
  const vault = vaultSettings(env);
  if (!vault)
    throw new AppError(
      'credential_store_unavailable',
      "this binding's secret is kept in Vault, but this edge has no Vault backend (VAULT_ADDR is unset); configure VAULT_ADDR again to use or delete it",
    );
  return vaultStore(vault);
}
