/**
 * The default credential store: the secret sealed into the binding's own row. Envelope
 * encryption: the secret (JSON) sealed with a data key of its own (AES-256-GCM), the data key
 * wrapped by the key-encryption key (`CREDENTIALS_KEK`), both bound to the binding's id and owner.
 */
import type { CredentialBindingRow } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { importDataKey, newDataKey, open, seal, unwrapKey, wrapKey } from '../keys/envelope.ts';
import { type KekSettings, keyRing } from '../keys/kek.ts';
import type { CredentialStore, SecretOwner } from './store.ts';

export const DATA_KEY_PURPOSE = 'browserpane/credential-key-wrap/v1';

/** What binds a ciphertext and its wrapped key to one row: id and owner. */
export function associatedData(row: SecretOwner) {
  return JSON.stringify(['browserpane/credential/v1', row.id, row.ownerIssuer, row.ownerId]);
}

export function localStore(env: KekSettings): CredentialStore {
  return {
    provider: 'local',
    async put(owner, payload) {
      const ring = await keyRing(env);
      const aad = associatedData(owner);
      const plaintext = new Uint8Array(new TextEncoder().encode(JSON.stringify(payload)));
      const dataKey = await newDataKey();
      const ciphertext = await seal(dataKey.key, plaintext, aad);
      const wrappedKey = await wrapKey(ring, DATA_KEY_PURPOSE, dataKey.raw, aad);
      dataKey.raw.fill(0);
      plaintext.fill(0);
      return { provider: 'local', ciphertext, wrappedKey, kekId: ring.current.id, vaultRef: null };
    },
    async get(row: CredentialBindingRow) {
      if (!row.ciphertext || !row.wrappedKey)
        throw new AppError(
          'credential_key_mismatch',
          `credential binding ${row.id}'s row holds no sealed secret (the stored row was altered)`,
        );
      const ring = await keyRing(env);
      const aad = associatedData(row);
      const { raw } = await unwrapKey(
        ring,
        DATA_KEY_PURPOSE,
        row.wrappedKey,
        aad,
        `credential binding ${row.id}'s data key`,
      );
      const key = await importDataKey(raw);
      raw.fill(0);
      let plain: Uint8Array;
      try {
        plain = await open(key, row.ciphertext, aad);
      } catch (cause) {
        throw new AppError(
          'credential_key_mismatch',
          `credential binding ${row.id}'s secret does not open with its data key (the stored row was altered)`,
          { cause },
        );
      }
      return JSON.parse(new TextDecoder().decode(plain));
    },
    async remove() {},
  };
}
