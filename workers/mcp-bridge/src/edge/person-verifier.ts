import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { BridgeError } from '../errors.ts';
import type { EdgeClient } from './edge-client.ts';

/**
 * Verifies a person's OIDC bearer token (the one the console holds) against the issuer the edge
 * trusts: signature by the issuer's JWKS, issuer, audience, expiry. The token is only read here;
 * it is never sent anywhere.
 */
export class PersonVerifier {
  private keys: Promise<{ keys: JWTVerifyGetKey; issuer: string; audience?: string }> | undefined;

  constructor(private readonly edge: EdgeClient) {}

  /** The verified token's subject (principal id). Throws `unauthorized`. */
  async subject(token: string): Promise<string> {
    const { keys, issuer, audience } = await this.keySet();
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        ...(audience ? { audience } : {}),
        clockTolerance: 30,
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('no subject');
      return payload.sub;
    } catch (err) {
      throw new BridgeError('unauthorized', 'the bearer token is not valid for this deployment', {
        cause: err,
      });
    }
  }

  private keySet() {
    this.keys ??= (async () => {
      const auth = await this.edge.auth();
      const res = await fetch(`${auth.issuer}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(10_000),
      });
      const doc = (await res.json().catch(() => ({}))) as { jwks_uri?: string };
      if (!res.ok || !doc.jwks_uri)
        throw new BridgeError(
          'edge_unavailable',
          'the issuer’s discovery document has no jwks_uri',
        );
      return {
        keys: createRemoteJWKSet(new URL(doc.jwks_uri)),
        issuer: auth.issuer,
        ...(auth.audience ? { audience: auth.audience } : {}),
      };
    })().catch((err: unknown) => {
      this.keys = undefined;
      throw err;
    });
    return this.keys;
  }
}
