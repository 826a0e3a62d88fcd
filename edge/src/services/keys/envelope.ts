/**
 * Envelope encryption on WebCrypto (the same in workerd and Node): AES-256-GCM with a random
 * 96-bit IV and associated data that binds a ciphertext to where it belongs (a row's id and
 * owner), so a ciphertext copied to another row does not open. Keys are wrapped the same way by a
 * key derived from the key-encryption key (kek.ts); the wrapped form names the key's id.
 *
 *   sealed bytes:  v1.<iv>.<ciphertext+tag>             (base64url parts)
 *   wrapped key:   v1.<kek id>.<iv>.<ciphertext+tag>    (legacy profile keys: v1.<iv>.<…>)
 */
import { AppError } from '../../errors.ts';
import { base64url } from '../crypto.ts';
import { aesKey, fromBase64url, type Kek, type KeyRing } from './kek.ts';

const encoder = new TextEncoder();

export async function seal(
  key: CryptoKey,
  plaintext: Uint8Array<ArrayBuffer>,
  associated: string,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(associated) },
    key,
    plaintext,
  );
  return `v1.${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

/** Opens `seal`'s output; throws (any error) when the key or the associated data differ. */
export async function open(
  key: CryptoKey,
  sealed: string,
  associated: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const [version, iv, body, extra] = sealed.split('.');
  if (version !== 'v1' || !iv || !body || extra !== undefined) throw new Error('unknown format');
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64url(iv), additionalData: encoder.encode(associated) },
    key,
    fromBase64url(body),
  );
  return new Uint8Array(plain);
}

/** A fresh AES-256-GCM data key: its raw bytes (to wrap) and the key (to seal with). */
export async function newDataKey(): Promise<{ raw: Uint8Array<ArrayBuffer>; key: CryptoKey }> {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  return { raw, key: await importDataKey(raw) };
}

export function importDataKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** Wraps `raw` with the current key of the ring: `v1.<kid>.<iv>.<ct>`. */
export async function wrapKey(
  ring: KeyRing,
  purpose: string,
  raw: Uint8Array<ArrayBuffer>,
  associated: string,
): Promise<string> {
  const sealed = await seal(await aesKey(ring.current, purpose), raw, associated);
  return `v1.${ring.current.id}.${sealed.slice(3)}`;
}

export interface Unwrapped {
  raw: Uint8Array<ArrayBuffer>;
  /** The key that opened it; not the current one means a re-wrap is due. */
  kek: Kek;
}

/**
 * Opens a wrapped key with whichever configured key wrapped it (named by its id; a legacy form
 * without an id tries each, the current first). None opens it: `credential_key_mismatch` (503),
 * with the key id to look for and what to do.
 */
export async function unwrapKey(
  ring: KeyRing,
  purpose: string,
  wrapped: string,
  associated: string,
  what: string,
): Promise<Unwrapped> {
  const parts = wrapped.split('.');
  const candidates = [ring.current, ...ring.previous];
  let sealed: string;
  let tried: Kek[];
  let kid: string | null = null;
  if (parts.length === 4) {
    kid = parts[1] as string;
    sealed = `v1.${parts[2]}.${parts[3]}`;
    tried = candidates.filter((k) => k.id === kid);
  } else {
    sealed = wrapped;
    tried = candidates;
  }
  for (const kek of tried) {
    try {
      return { raw: await open(await aesKey(kek, purpose), sealed, associated), kek };
    } catch {
      // the next key
    }
  }
  throw new AppError(
    'credential_key_mismatch',
    `${what} was wrapped by a key-encryption key this edge does not have${kid ? ` (key id ${kid})` : ''}: if CREDENTIALS_KEK was rotated, put the old key in CREDENTIALS_KEK_PREVIOUS and run POST /api/v1/maintenance/rewrap-credentials`,
    { details: { key_id: kid, current_key_id: ring.current.id } },
  );
}
