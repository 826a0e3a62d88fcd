/**
 * Per-session profile keys, wrapped for storage with the edge's key-encryption key (keys/: HKDF
 * from `CREDENTIALS_KEK`, AES-256-GCM, the session id as associated data, so a wrapped key copied
 * to another session's row does not unwrap). Keys wrapped before a rotation still open with
 * `CREDENTIALS_KEK_PREVIOUS` until the re-wrap step has moved them to the new key.
 */
import { unwrapKey, wrapKey } from '../keys/envelope.ts';
import { type KekSettings, keyRing } from '../keys/kek.ts';

export const PROFILE_KEY_PURPOSE = 'browserpane/profile-key-wrap/v1';

/** A fresh 32-byte profile key for `sessionId`: the key itself and its wrapped form. */
export async function newProfileKey(
  env: KekSettings,
  sessionId: string,
): Promise<{ key: Uint8Array; wrapped: string }> {
  const key = crypto.getRandomValues(new Uint8Array(32));
  return { key, wrapped: await wrapProfileKey(env, sessionId, key) };
}

export async function wrapProfileKey(
  env: KekSettings,
  sessionId: string,
  key: Uint8Array<ArrayBuffer>,
): Promise<string> {
  return wrapKey(await keyRing(env), PROFILE_KEY_PURPOSE, key, sessionId);
}

/** The profile key of `sessionId`; one no configured key opens is `credential_key_mismatch`. */
export async function unwrapProfileKey(
  env: KekSettings,
  sessionId: string,
  wrapped: string,
): Promise<Uint8Array> {
  const ring = await keyRing(env);
  return (
    await unwrapKey(ring, PROFILE_KEY_PURPOSE, wrapped, sessionId, "the session's profile key")
  ).raw;
}
