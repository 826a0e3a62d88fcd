/** One-time codes (RFC 6238 TOTP over RFC 4226 HOTP) from a base32 seed (RFC 4648). */
import { createHmac } from 'node:crypto';

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpOptions {
  digits?: number;
  periodSec?: number;
  algorithm?: TotpAlgorithm;
  /** Unix time in seconds (default: now). */
  time?: number;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error('the TOTP seed is not base32');
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP of `counter` under `key`. */
export function hotp(
  key: Buffer,
  counter: bigint,
  digits: number,
  algorithm: TotpAlgorithm,
): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(counter);
  const mac = createHmac(algorithm.toLowerCase(), key).update(msg).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The TOTP code of a raw key at `time` (RFC 6238: T0 = 0). */
export function totpFromKey(key: Buffer, options: TotpOptions = {}): string {
  const period = options.periodSec ?? 30;
  const time = options.time ?? Date.now() / 1000;
  return hotp(
    key,
    BigInt(Math.floor(time / period)),
    options.digits ?? 6,
    options.algorithm ?? 'SHA1',
  );
}

/** The TOTP code of a base32 seed. */
export function totp(seed: string, options: TotpOptions = {}): string {
  return totpFromKey(base32Decode(seed), options);
}
