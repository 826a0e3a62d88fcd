/**
 * The edge's key-encryption keys: `CREDENTIALS_KEK` (the current one, 32 bytes base64url) and,
 * during a rotation, `CREDENTIALS_KEK_PREVIOUS` (older ones, comma-separated). Each purpose (profile
 * keys, credential data keys, fingerprints) gets its own AES-256-GCM or HMAC key derived with HKDF,
 * so one key never serves two uses. A key's id (`kid`) is a short digest of it: stored beside what
 * it wrapped, it says which key opens a row without trying them all.
 */
import { AppError } from '../../errors.ts';
import { base64url } from '../crypto.ts';

export interface KekSettings {
  CREDENTIALS_KEK?: string;
  CREDENTIALS_KEK_PREVIOUS?: string;
}

export interface Kek {
  id: string;
  raw: Uint8Array<ArrayBuffer>;
}

export interface KeyRing {
  current: Kek;
  /** Older keys, still used to open (never to wrap). */
  previous: Kek[];
}

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function unavailable(message: string): AppError {
  return new AppError('credential_key_unavailable', message);
}

const ids = new Map<string, Promise<string>>();

async function kekId(raw: Uint8Array<ArrayBuffer>, text: string): Promise<string> {
  let id = ids.get(text);
  if (!id) {
    const label = new TextEncoder().encode('browserpane/kek-id/v1\u0000');
    const data = new Uint8Array(label.length + raw.length);
    data.set(label);
    data.set(raw, label.length);
    id = crypto.subtle
      .digest('SHA-256', data)
      .then((d) => base64url(new Uint8Array(d).slice(0, 9)));
    ids.set(text, id);
  }
  return id;
}

async function parse(text: string, name: string): Promise<Kek> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = fromBase64url(text.trim());
  } catch {
    raw = new Uint8Array();
  }
  if (raw.length !== 32) throw unavailable(`${name} must be 32 random bytes, base64url`);
  return { id: await kekId(raw, text.trim()), raw };
}

/** The configured keys; `credential_key_unavailable` (503) when the current one is missing or malformed. */
export async function keyRing(env: KekSettings): Promise<KeyRing> {
  if (!env.CREDENTIALS_KEK)
    throw unavailable(
      'CREDENTIALS_KEK is not set: the edge needs it to keep secrets (session profile keys, credential bindings)',
    );
  const current = await parse(env.CREDENTIALS_KEK, 'CREDENTIALS_KEK');
  const previous: Kek[] = [];
  for (const part of (env.CREDENTIALS_KEK_PREVIOUS ?? '').split(',')) {
    if (!part.trim()) continue;
    const kek = await parse(part, 'each key of CREDENTIALS_KEK_PREVIOUS');
    if (kek.id !== current.id) previous.push(kek);
  }
  return { current, previous };
}

const derived = new Map<string, Promise<CryptoKey>>();

/** The AES-256-GCM key of `purpose` under `kek` (HKDF-SHA256, zero salt, `purpose` as info). */
export function aesKey(kek: Kek, purpose: string): Promise<CryptoKey> {
  const cacheKey = `aes|${kek.id}|${purpose}`;
  let key = derived.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey('raw', kek.raw, 'HKDF', false, ['deriveKey']).then((base) =>
      crypto.subtle.deriveKey(
        {
          name: 'HKDF',
          hash: 'SHA-256',
          salt: new Uint8Array(32),
          info: new TextEncoder().encode(purpose),
        },
        base,
        { name: 'AES-GCM', length: 256 },
        false,
        ['encrypt', 'decrypt'],
      ),
    );
    derived.set(cacheKey, key);
  }
  return key;
}

/** The HMAC-SHA256 key of `purpose` under `kek`. */
export function hmacKey(kek: Kek, purpose: string): Promise<CryptoKey> {
  const cacheKey = `hmac|${kek.id}|${purpose}`;
  let key = derived.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey('raw', kek.raw, 'HKDF', false, ['deriveKey']).then((base) =>
      crypto.subtle.deriveKey(
        {
          name: 'HKDF',
          hash: 'SHA-256',
          salt: new Uint8Array(32),
          info: new TextEncoder().encode(purpose),
        },
        base,
        { name: 'HMAC', hash: 'SHA-256', length: 256 },
        false,
        ['sign'],
      ),
    );
    derived.set(cacheKey, key);
  }
  return key;
}
