/**
 * The Vault / OpenBao KV v2 credential store: one secret per binding at
 * `{VAULT_PATH_PREFIX}/{binding id}` under `VAULT_KV_MOUNT`, its data the secret payload as is
 * (an operator reads it with `vault kv get`). The binding's row keeps only where it is.
 */
import { AppError } from '../../../errors.ts';
import type { CredentialStore } from '../store.ts';
import { Kv2Client } from './kv2.ts';
import type { VaultSettings } from './settings.ts';

export function vaultStore(settings: VaultSettings): CredentialStore {
  const kv = new Kv2Client(settings);
  return {
    provider: 'vault_kv_v2',
    async put(owner, payload) {
      const path = `${settings.prefix}/${owner.id}`;
      await kv.create(path, payload as Record<string, unknown>);
      return {
        provider: 'vault_kv_v2',
        ciphertext: null,
        wrappedKey: null,
        kekId: null,
        vaultRef: { mount: settings.mount, path },
      };
    },
    async get(row) {
      if (!row.vaultRef) throw missing(row.id, 'its row names no Vault path');
      const data = await client(row.vaultRef.mount).read(row.vaultRef.path);
      if (!data)
        throw missing(
          row.id,
          `${row.vaultRef.mount}/${row.vaultRef.path} holds no current version in Vault (deleted outside BrowserPane?)`,
        );
      return data;
    },
    async remove(row) {
      if (row.vaultRef) await client(row.vaultRef.mount).destroyAll(row.vaultRef.path);
    },
  };

  /** A row written under another mount than today's setting is still read from its own. */
  function client(mount: string): Kv2Client {
    return mount === settings.mount ? kv : new Kv2Client({ ...settings, mount });
  }
}

function missing(id: string, why: string): AppError {
  return new AppError(
    'credential_secret_missing',
    `credential binding ${id}'s secret is gone from the credential store: ${why}; delete the binding and create it again`,
  );
}
