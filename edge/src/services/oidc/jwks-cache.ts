import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../../errors.ts';

/** How long a fetched key set is trusted before it is fetched again. */
const MAX_AGE_MS = 10 * 60_000;
/** At most one refetch per this interval when a token names a kid we do not know. */
const UNKNOWN_KID_COOLDOWN_MS = 30_000;

interface Entry {
  keys: JWTVerifyGetKey;
  kids: Set<string>;
  fetchedAt: number;
}

/**
 * An isolate-wide cache of one remote JWKS. Keys are refetched when stale, and when a token
 * carries an unknown `kid` (key rotation at the IdP) — rate-limited so a flood of tokens with
 * made-up kids cannot turn into a flood of fetches. Each request fetches on its own: a Worker may
 * not await I/O started by another request.
 */
export class JwksCache {
  #entry: Entry | null = null;
  #lastUnknownKidFetch = 0;

  constructor(
    readonly url: string,
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  async #fetch(now: number): Promise<Entry> {
    let body: JSONWebKeySet;
    try {
      const res = await this.fetcher(this.url, { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = (await res.json()) as JSONWebKeySet;
      if (!Array.isArray(body?.keys)) throw new Error('no "keys" array');
    } catch (cause) {
      throw new AppError(
        'invalid_token',
        'the identity provider key set could not be fetched; try again later',
        {
          cause,
        },
      );
    }
    const entry: Entry = {
      keys: createLocalJWKSet(body),
      kids: new Set(body.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string')),
      fetchedAt: now,
    };
    this.#entry = entry;
    return entry;
  }

  /** The key set to verify a token whose header names `kid`. */
  async keysFor(kid: string | undefined, now = Date.now()): Promise<JWTVerifyGetKey> {
    let entry = this.#entry;
    if (!entry || now - entry.fetchedAt > MAX_AGE_MS) entry = await this.#fetch(now);
    if (kid && !entry.kids.has(kid) && now - this.#lastUnknownKidFetch > UNKNOWN_KID_COOLDOWN_MS) {
      this.#lastUnknownKidFetch = now;
      entry = await this.#fetch(now);
    }
    return entry.keys;
  }
}
