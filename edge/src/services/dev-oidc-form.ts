/** Reading what a client sends the development issuer: form bodies and `Basic` credentials. */
import { OAuthError } from './dev-oidc.ts';

/**
 * An `application/x-www-form-urlencoded` body as fields (first value wins; no prototype, so a
 * field named `__proto__` or `constructor` is just a field).
 */
export function parseForm(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of new URLSearchParams(new TextDecoder().decode(bytes))) {
    if (!Object.hasOwn(out, k)) out[k] = v;
  }
  return out;
}

/**
 * `client_secret_basic` credentials (RFC 6749 §2.3.1: the id and secret are percent-encoded, then
 * base64), or null without a `Basic` header. Anything malformed is `invalid_client` (401), never a
 * crash: bad base64, no colon, an empty id, bad percent-encoding.
 */
export function basicCredentials(
  header: string | undefined,
): { id: string; secret: string } | null {
  const match = /^Basic(?:\s+(\S*))?\s*$/i.exec(header ?? '');
  if (!match) return null;
  const refuse = () => new OAuthError('invalid_client', 'the Basic credentials are malformed', 401);
  let decoded: string;
  try {
    decoded = atob(match[1] ?? '');
  } catch {
    throw refuse();
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw refuse();
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon)),
      secret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  } catch {
    throw refuse();
  }
}
