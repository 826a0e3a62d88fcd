/**
 * Per-session profile keys, wrapped for storage: AES-256-GCM under a key derived (HKDF-SHA256)
 * from the edge's `CREDENTIALS_KEK` secret, the session id as associated data (a wrapped key
 * copied to another session's row does not unwrap). Stored as `v1.<iv>.<ciphertext+tag>`.
 */
import { AppError } from '../../errors.ts';
import { base64url } from '../crypto.ts';

const INFO = new TextEncoder().encode('browserpane/profile-key-wrap/v1');
const kekCache = new Map<string, Promise<CryptoKey>>();

export function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function wrappingKey(kekSecret: string | undefined): Promise<CryptoKey> {
  if (!kekSecret)
    throw new AppError(
      'config_invalid',
      'CREDENTIALS_KEK is not set: the edge needs it to keep session profile keys',
    );
  let raw: Uint8Array;
  try {
    raw = fromBase64url(kekSecret);
  } catch {
    raw = new Uint8Array();
  }
  if (raw.length !== 32)
    throw new AppError('config_invalid', 'CREDENTIALS_KEK must be 32 bytes, base64url');
  let key = kekCache.get(kekSecret);
  if (!key) {
    key = crypto.subtle
      .importKey('raw', raw, 'HKDF', false, ['deriveKey'])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: INFO },
          base,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      );
    kekCache.set(kekSecret, key);
  }
  return key;
}

/** A fresh 32-byte profile key for `sessionId`: the key itself and its wrapped form. */
export async function newProfileKey(
  kekSecret: string | undefined,
  sessionId: string,
): Promise<{ key: Uint8Array; wrapped: string }> {
  const key = crypto.getRandomValues(new Uint8Array(32));
  return { key, wrapped: await wrapProfileKey(kekSecret, sessionId, key) };
}

export async function wrapProfileKey(
  kekSecret: string | undefined,
  sessionId: string,
  key: Uint8Array,
): Promise<string> {
  const kek = await wrappingKey(kekSecret);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(sessionId) },
    kek,
    key,
  );
  return `v1.${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

/** The profile key of `sessionId`; a wrapped key that does not open (another KEK) is an error. */
export async function unwrapProfileKey(
  kekSecret: string | undefined,
  sessionId: string,
  wrapped: string,
): Promise<Uint8Array> {
  const kek = await wrappingKey(kekSecret);
  const [version, iv, sealed] = wrapped.split('.');
  try {
    if (version !== 'v1' || !iv || !sealed) throw new Error('unknown format');
    const key = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: fromBase64url(iv),
        additionalData: new TextEncoder().encode(sessionId),
      },
      kek,
      fromBase64url(sealed),
    );
    return new Uint8Array(key);
  } catch (cause) {
    throw new AppError(
      'config_invalid',
      "the session's profile key does not unwrap with this edge's CREDENTIALS_KEK (was it rotated?)",
      { cause },
    );
  }
}
