/**
 * Digests and keys for password authentication: MD5 (the `md5` method) and SCRAM-SHA-256 (HMAC,
 * PBKDF2-derived keys cached on the config, base64), all on WebCrypto.
 */
import { encoder } from './bytes.ts';
import type { ScramKeys, WireConfig } from './wire-config.ts';

export async function hmac(key: Uint8Array, data: Uint8Array | string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return new Uint8Array(
    await crypto.subtle.sign('HMAC', k, typeof data === 'string' ? encoder.encode(data) : data),
  );
}

export async function md5Hex(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('MD5', data));
  let out = '';
  for (const byte of digest) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function base64(bytes: Uint8Array): string {
  let s = '';
  for (const byte of bytes) s += String.fromCharCode(byte);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export async function scramKeys(
  cfg: WireConfig,
  salt: string,
  iterations: number,
): Promise<ScramKeys> {
  if (cfg.scram && cfg.scram.salt === salt && cfg.scram.iterations === iterations)
    return cfg.scram.keys;
  const base = await crypto.subtle.importKey(
    'raw',
    encoder.encode(cfg.password.normalize('NFKC')),
    'PBKDF2',
    false,
    ['deriveBits'],
  );
  const salted = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64(salt), iterations },
      base,
      256,
    ),
  );
  const clientKey = await hmac(salted, 'Client Key');
  const keys = {
    clientKey,
    storedKey: new Uint8Array(await crypto.subtle.digest('SHA-256', clientKey)),
    serverKey: await hmac(salted, 'Server Key'),
  };
  cfg.scram = { salt, iterations, keys };
  return keys;
}
