import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPABILITY_NAMES, type Role } from '@browserpane/protocol';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { silentLogger } from '../../src/log.ts';
import { ensureDevCertificate, type RelayCertificate } from '../../src/relay/dev-cert.ts';
import { RelayServer } from '../../src/relay/relay-server.ts';
import { SessionHub, type SessionHubOptions } from '../../src/relay/session-hub.ts';
import { type TicketClaims, TicketError, TicketVerifier } from '../../src/relay/tickets.ts';
import type { UsedTickets } from '../../src/relay/used-tickets.ts';
import type { InputMessage } from '../../src/types.ts';
import { SyntheticSource } from './synthetic-source.ts';

export const ISSUER = 'http://edge.test';
export const AUDIENCE = 'browserpane-relay';
export const HOST_ID = 'host-test';
export const SESSION_ID = 'session-1';

/** A relay with one session hub over a synthetic source, and a ticket minter like the edge's. */
export async function startRelayFixture(
  options: {
    mode?: 'collaborative' | 'exclusive';
    plainPort?: number;
    /** The certificate to start with (default: a fresh development certificate). */
    certificate?: RelayCertificate;
    /** Hub settings to override (role limits, request limits, peer options). */
    hub?: Partial<Pick<SessionHubOptions, 'roleLimits' | 'requestLimits' | 'peerOptions'>>;
    /** Where used ticket ids are kept (default: memory). */
    used?: UsedTickets;
    /** Display size of the synthetic source (default 256×128). */
    size?: { width: number; height: number };
  } = {},
) {
  const cert: RelayCertificate =
    options.certificate ?? ensureDevCertificate(mkdtempSync(join(tmpdir(), 'bp-relay-')));
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
  const verifier = new TicketVerifier({
    jwksUrl: `${ISSUER}/.well-known/jwks.json`,
    issuer: ISSUER,
    audience: AUDIENCE,
    hostId: () => HOST_ID,
    keySet: createLocalJWKSet({ keys: [jwk] }),
    ...(options.used ? { used: options.used } : {}),
  });
  const source = new SyntheticSource(options.size?.width, options.size?.height);
  const inputs: InputMessage[] = [];
  const hub = new SessionHub({
    sessionId: SESSION_ID,
    mode: options.mode ?? 'collaborative',
    source,
    input: { apply: (m) => void inputs.push(m), releaseAll: () => {} },
    hostCapabilities: 0xffffffff,
    log: silentLogger,
    peerOptions: {
      handshakeTimeoutMs: 1_500,
      idleTimeoutMs: 30_000,
      lagBytes: 256 * 1024,
      hardLimitBytes: 64 * 1024 * 1024,
    },
    ...options.hub,
  });
  const refusals: string[] = [];
  const relay = await RelayServer.start<TicketClaims>({
    host: '127.0.0.1',
    port: 0,
    plainPort: options.plainPort,
    cert: cert.cert,
    key: cert.key,
    admit: async (path) => {
      const url = new URL(path, 'http://relay');
      const match = /^\/sessions\/([^/]+)\/connect$/.exec(url.pathname);
      if (!match) return { ok: false, status: 404 };
      try {
        const claims = await verifier.verify(url.searchParams.get('ticket'), match[1] as string);
        if (!hub.admitsGrant(claims)) throw new TicketError('revoked');
        return { ok: true, data: claims };
      } catch (err) {
        refusals.push(err instanceof TicketError ? err.reason : String(err));
        return { ok: false, status: 403 };
      }
    },
    onSession: (session, claims) => void hub.admit(session, claims),
    http: async ({ path }) =>
      path === '/healthz' ? { status: 200, body: 'ok' } : { status: 404, body: '' },
  });

  async function ticket(
    role: Role,
    overrides: JWTPayload = {},
    expiresIn = '60s',
  ): Promise<string> {
    return new SignJWT({
      sid: SESSION_ID,
      hid: HOST_ID,
      role,
      caps: role === 'owner' ? [...CAPABILITY_NAMES] : ['tileCache', 'copyRect', 'cursor'],
      name: `${role} tester`,
      mode: options.mode ?? 'collaborative',
      ...overrides,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(`user-${role}`)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);
  }

  const url = (token: string, session = SESSION_ID) =>
    `https://127.0.0.1:${relay.port}/sessions/${session}/connect?ticket=${encodeURIComponent(token)}`;

  return {
    relay,
    hub,
    source,
    inputs,
    cert,
    ticket,
    url,
    refusals,
    verifier,
    close: () => relay.close(),
  };
}
