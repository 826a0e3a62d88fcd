/**
 * Webhook signing secrets at rest, in the edge's one key ring (keys/kek.ts): AES-256-GCM under the
 * key derived from the current `CREDENTIALS_KEK` for this purpose, the subscription id as
 * associated data (a sealed secret copied to another subscription's row does not open). Stored as
 * `v1.<kek id>.<iv>.<ciphertext+tag>`; a secret sealed before key ids (`v1.<iv>.<…>`) still opens.
 * A rotated KEK opens older secrets through `CREDENTIALS_KEK_PREVIOUS` until the re-wrap step
 * (`POST /api/v1/maintenance/rewrap-credentials`) seals them again with the current key.
 */
import { unwrapKey, wrapKey } from '../keys/envelope.ts';
import { type KekSettings, keyRing } from '../keys/kek.ts';

export const SIGNING_SECRET_PURPOSE = 'browserpane/webhook-signing-secret/v1';

export async function sealSecret(
  env: KekSettings,
  subscriptionId: string,
  secret: string,
): Promise<string> {
  const ring = await keyRing(env);
  const raw = new Uint8Array(new TextEncoder().encode(secret));
  return wrapKey(ring, SIGNING_SECRET_PURPOSE, raw, subscriptionId);
}

export async function openSecret(
  env: KekSettings,
  subscriptionId: string,
  sealed: string,
): Promise<string> {
  const ring = await keyRing(env);
  const { raw } = await unwrapKey(
    ring,
    SIGNING_SECRET_PURPOSE,
    sealed,
    subscriptionId,
    "the subscription's signing secret",
  );
  return new TextDecoder().decode(raw);
}
