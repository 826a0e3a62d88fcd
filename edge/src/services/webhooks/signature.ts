/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, one per secret,
 * space-separated (a receiver accepts any that verifies: that is how rotation keeps working).
 */

/** A new secret: `whsec_` + base64 of 32 random bytes (the form Standard Webhooks libraries take). */
export function newSigningSecret(): string {
  return `whsec_${toBase64(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** The HMAC key of a secret: a `whsec_<base64>` secret's decoded bytes, else its UTF-8 bytes. */
export function secretKeyBytes(secret: string): Uint8Array {
  if (secret.startsWith('whsec_')) {
    const decoded = fromBase64(secret.slice('whsec_'.length));
    if (decoded) return decoded;
  }
  return new TextEncoder().encode(secret);
}

export async function sign(
  secrets: readonly string[],
  id: string,
  timestampSec: number,
  body: string,
): Promise<string> {
  const message = new TextEncoder().encode(`${id}.${timestampSec}.${body}`);
  const parts: string[] = [];
  for (const secret of secrets) {
    const key = await crypto.subtle.importKey(
      'raw',
      secretKeyBytes(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    parts.push(`v1,${toBase64(new Uint8Array(await crypto.subtle.sign('HMAC', key, message)))}`);
  }
  return parts.join(' ');
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function fromBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.length >= 16 ? out : null;
}
