import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { AppError } from '../errors.ts';
import { base64url } from './crypto.ts';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** Public half, as served in a JWKS. */
  publicJwk: JWK;
}

const loaded = new Map<string, SigningKey>();

function parseJson(raw: string, name: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError(
      'config_invalid',
      `secret ${name} is not valid JSON (expected an Ed25519 JWK)`,
    );
  }
}

async function publicPart(jwk: JWK): Promise<JWK> {
  const kid =
    jwk.kid ?? (await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JWK));
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: 'EdDSA', use: 'sig' } as JWK;
}

function isEd25519(jwk: unknown): jwk is JWK {
  const k = jwk as JWK | null;
  return (
    !!k &&
    typeof k === 'object' &&
    k.kty === 'OKP' &&
    k.crv === 'Ed25519' &&
    typeof k.x === 'string'
  );
}

/** Imports an Ed25519 private JWK from a secret (once per isolate). */
export async function loadSigningKey(raw: string | undefined, name: string): Promise<SigningKey> {
  if (!raw) throw new AppError('config_invalid', `secret ${name} is not set`);
  const hit = loaded.get(raw);
  if (hit) return hit;
  const jwk = parseJson(raw, name);
  if (!isEd25519(jwk) || typeof jwk.d !== 'string') {
    throw new AppError(
      'config_invalid',
      `secret ${name} must be an Ed25519 private JWK (kty OKP, crv Ed25519, d, x)`,
    );
  }
  const publicJwk = await publicPart(jwk);
  const key: SigningKey = {
    kid: publicJwk.kid as string,
    privateKey: (await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey,
    publicKey: (await importJWK(publicJwk, 'EdDSA')) as CryptoKey,
    publicJwk,
  };
  loaded.set(raw, key);
  return key;
}

/** Previous public keys: a JWK, an array of JWKs or a JWKS; private parts are never served. */
export async function loadPreviousKeys(raw: string | undefined): Promise<JWK[]> {
  if (!raw) return [];
  const parsed = parseJson(raw, 'TICKET_SIGNING_KEY_PREVIOUS');
  const list = Array.isArray(parsed)
    ? parsed
    : parsed && typeof parsed === 'object' && Array.isArray((parsed as { keys?: unknown }).keys)
      ? (parsed as { keys: unknown[] }).keys
      : [parsed];
  const out: JWK[] = [];
  for (const jwk of list) {
    if (!isEd25519(jwk)) {
      throw new AppError(
        'config_invalid',
        'secret TICKET_SIGNING_KEY_PREVIOUS must hold Ed25519 JWKs',
      );
    }
    out.push(await publicPart(jwk));
  }
  return out;
}

const utf8 = new TextEncoder();
const headers = new WeakMap<SigningKey, string>();

/**
 * A compact JWS (JWT) over `claims`, signed EdDSA (Ed25519) with `key`: `{alg: EdDSA, kid, typ:
 * JWT}` header, WebCrypto signature — what jose's SignJWT produces, without its per-call header
 * validation and claim builders (this runs for every connect ticket). The header is encoded once
 * per key.
 */
export async function signJwt(key: SigningKey, claims: Record<string, unknown>): Promise<string> {
  let header = headers.get(key);
  if (!header) {
    header = base64url(utf8.encode(JSON.stringify({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })));
    headers.set(key, header);
  }
  const input = `${header}.${base64url(utf8.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign(
    { name: 'Ed25519' },
    key.privateKey,
    utf8.encode(input),
  );
  return `${input}.${base64url(new Uint8Array(signature))}`;
}
