/** Small WebCrypto helpers that run the same in workerd and Node. */

const encoder = new TextEncoder();
const ascii = new TextDecoder();
const B64URL = encoder.encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');

/**
 * Unpadded base64url. Encodes into a byte array and decodes that once: no string per input byte
 * (this runs several times per connect ticket, and the garbage showed up in the GC share).
 */
export function base64url(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil((n * 4) / 3));
  const b = (i: number) => bytes[i] as number;
  const c = (v: number) => B64URL[v & 63] as number;
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    out[o++] = c(v >>> 18);
    out[o++] = c(v >>> 12);
    out[o++] = c(v >>> 6);
    out[o++] = c(v);
  }
  if (i < n) {
    const v = (b(i) << 16) | (i + 1 < n ? b(i + 1) << 8 : 0);
    out[o++] = c(v >>> 18);
    out[o++] = c(v >>> 12);
    if (i + 1 < n) out[o++] = c(v >>> 6);
  }
  return ascii.decode(out);
}

export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

export async function sha256Hex(text: string): Promise<string> {
  return hex(await sha256(text));
}

/** Compares two secrets in constant time (over their SHA-256, so lengths leak nothing either). */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** RFC 9562 UUIDv7: time-ordered, so ids sort by creation time. */
export function uuidv7(now = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const ms = BigInt(now);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function pkceChallenge(verifier: string): Promise<string> {
  return base64url(await sha256(verifier));
}
