/**
 * The wake-up call to a host the edge just placed a session on (HOST_WAKE_PATH in the protocol):
 * a signed POST to the host's relay, so the host heartbeats at once and starts the session instead
 * of learning of it at its next heartbeat. Best effort: a host the edge cannot reach (its relay
 * behind a firewall, a certificate the edge does not trust) learns of it at its next heartbeat.
 */
import { HOST_WAKE_AUDIENCE, HOST_WAKE_PATH, HOST_WAKE_TTL_SEC } from '@browserpane/protocol';
import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { hosts } from '../../db/schema/index.ts';
import { createLogger } from '../../log.ts';
import { randomToken } from '../crypto.ts';
import { loadSigningKey, signJwt } from '../signing-keys.ts';

const log = createLogger('host-wake');
const WAKE_TIMEOUT_MS = 2_000;

/** The wake-up URL on a host's relay (`ws(s)` relay URLs map to `http(s)`). */
export function wakeUrl(relayUrl: string): string {
  const relay = new URL(relayUrl);
  const secure = relay.protocol === 'https:' || relay.protocol === 'wss:';
  const base = relay.pathname.replace(/\/+$/, '');
  return `${secure ? 'https' : 'http'}://${relay.host}${base}${HOST_WAKE_PATH}`;
}

/** A wake token for `hostId`, signed with the ticket key (the host knows it from the JWKS). */
export async function wakeToken(
  signingKey: string | undefined,
  issuer: string,
  hostId: string,
  now: Date,
): Promise<string> {
  const key = await loadSigningKey(signingKey, 'TICKET_SIGNING_KEY');
  const iat = Math.floor(now.getTime() / 1000);
  return signJwt(key, {
    iss: issuer,
    aud: HOST_WAKE_AUDIENCE,
    iat,
    exp: iat + HOST_WAKE_TTL_SEC,
    jti: randomToken(16),
    hid: hostId,
  });
}

/** The relay URL to wake `hostId` at (read before the request's database connection closes). */
export async function hostRelayUrl(db: Queryable, hostId: string): Promise<string | undefined> {
  const [host] = await db
    .select({ relayUrl: hosts.relayUrl })
    .from(hosts)
    .where(eq(hosts.id, hostId));
  return host?.relayUrl;
}

/** Wakes the host (never throws; a failure only costs the host's heartbeat interval). */
export async function wakeHost(
  relayUrl: string,
  signingKey: string | undefined,
  issuer: string,
  hostId: string,
): Promise<void> {
  try {
    const token = await wakeToken(signingKey, issuer, hostId, new Date());
    const res = await fetch(wakeUrl(relayUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(WAKE_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (!res.ok) log.warn('host refused the wake-up', { hostId, status: res.status });
  } catch (err) {
    log.debug('host wake-up failed', { hostId, err });
  }
}
