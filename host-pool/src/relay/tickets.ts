import {
  CAPABILITY_NAMES,
  type CapabilityName,
  capabilityMask,
  HOST_WAKE_AUDIENCE,
  HOST_WAKE_TTL_SEC,
  ROLES,
  type Role,
} from '@browserpane/protocol';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { MemoryUsedTickets, type UsedTickets } from './used-tickets.ts';

/** Ticket ids: printable ASCII without spaces (they are stored one per line). */
const TICKET_ID = /^[\x21-\x7e]{1,256}$/;

/** What a verified connect ticket grants one connection. */
export interface TicketClaims {
  readonly principal: string;
  readonly displayName: string;
  readonly sessionId: string;
  readonly hostId: string;
  readonly role: Role;
  /** Protocol capability mask the edge allowed for this role in this session. */
  readonly capabilities: number;
  readonly mode: 'collaborative' | 'exclusive';
  readonly ticketId: string;
  readonly expiresAt: number;
  /**
   * The session's grant generation when the ticket was minted (`gen`; 0 when absent). An
   * automation grant older than the generation the host knows was revoked.
   */
  readonly grantGeneration: number;
  /**
   * The ticket is a share's grant (`via: "share"`): someone the owner shared the session with. Like
   * an automation grant, it is revoked by a newer grant generation.
   */
  readonly shared: boolean;
}

export type TicketFailure =
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_host'
  | 'wrong_session'
  | 'replayed'
  | 'too_long_lived'
  | 'jwks_unavailable'
  | 'revoked'
  | 'replay_store_unavailable';

export class TicketError extends Error {
  override readonly name = 'TicketError';
  constructor(readonly reason: TicketFailure) {
    super(`connect ticket refused: ${reason}`);
  }
}

export interface TicketVerifierOptions {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  /** This host's id: tickets for other hosts are refused. */
  readonly hostId: () => string | undefined;
  /** Longest ticket lifetime accepted (the edge issues ≤ 60 s). */
  readonly maxLifetimeSec?: number;
  /** For tests: a key set instead of fetching `jwksUrl`. */
  readonly keySet?: JWTVerifyGetKey;
  /** Where used ticket ids are remembered (default: in memory, lost on restart). */
  readonly used?: UsedTickets;
}

/**
 * Verifies EdDSA connect tickets against the edge's JWKS (fetched once, cached, refetched on an
 * unknown key id) and remembers every ticket id until it expires (`used`: on disk in the agent, so
 * across restarts too), so a ticket admits one connection only.
 */
export class TicketVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly used: UsedTickets;
  private readonly usedWakes = new MemoryUsedTickets();
  private readonly maxLifetime: number;

  constructor(private readonly options: TicketVerifierOptions) {
    this.keys =
      options.keySet ??
      createRemoteJWKSet(new URL(options.jwksUrl), {
        cooldownDuration: 5_000,
        cacheMaxAge: 10 * 60_000,
      });
    this.maxLifetime = options.maxLifetimeSec ?? 120;
    this.used = options.used ?? new MemoryUsedTickets();
  }

  /** Verifies `token` for `sessionId` and consumes it. Throws {@link TicketError}. */
  async verify(token: string | null | undefined, sessionId: string): Promise<TicketClaims> {
    if (!token) throw new TicketError('missing');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ['EdDSA'],
        clockTolerance: 5,
        requiredClaims: ['exp', 'iat', 'jti', 'sid', 'hid', 'role', 'sub'],
      }));
    } catch (err) {
      throw new TicketError(classify(err));
    }
    const claims = parseClaims(payload);
    if ((payload.exp as number) - (payload.iat as number) > this.maxLifetime) {
      throw new TicketError('too_long_lived');
    }
    if (claims.hostId !== this.options.hostId()) throw new TicketError('wrong_host');
    if (claims.sessionId !== sessionId) throw new TicketError('wrong_session');
    let fresh: boolean;
    try {
      fresh = this.used.claim(claims.ticketId, claims.expiresAt);
    } catch {
      throw new TicketError('replay_store_unavailable');
    }
    if (!fresh) throw new TicketError('replayed');
    return claims;
  }

  /**
   * Verifies the edge's wake-up token (audience {@link HOST_WAKE_AUDIENCE}, this host's id, short
   * lived) and consumes it: a token wakes the host once (replays are refused, so a captured one
   * cannot make the host heartbeat on someone else's say). Throws {@link TicketError}.
   */
  async verifyWake(token: string | null | undefined): Promise<void> {
    if (!token) throw new TicketError('missing');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: HOST_WAKE_AUDIENCE,
        algorithms: ['EdDSA'],
        clockTolerance: 5,
        requiredClaims: ['exp', 'iat', 'hid', 'jti'],
      }));
    } catch (err) {
      throw new TicketError(classify(err));
    }
    if ((payload.exp as number) - (payload.iat as number) > HOST_WAKE_TTL_SEC)
      throw new TicketError('too_long_lived');
    if (payload.hid !== this.options.hostId()) throw new TicketError('wrong_host');
    const jti = typeof payload.jti === 'string' && TICKET_ID.test(payload.jti) ? payload.jti : '';
    if (!jti) throw new TicketError('malformed');
    // in memory: after an agent restart a replay costs at most one early heartbeat
    if (!this.usedWakes.claim(jti, (payload.exp as number) * 1000))
      throw new TicketError('replayed');
  }
}

function classify(err: unknown): TicketFailure {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (err instanceof errors.JWKSNoMatchingKey) return 'bad_signature';
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid)
    return 'jwks_unavailable';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return 'wrong_issuer';
    if (err.claim === 'aud') return 'wrong_audience';
    return 'malformed';
  }
  if (err instanceof TypeError && /fetch/i.test(err.message)) return 'jwks_unavailable';
  return 'malformed';
}

function parseClaims(p: Record<string, unknown>): TicketClaims {
  const str = (v: unknown) =>
    typeof v === 'string' && v.length > 0 && v.length <= 256 ? v : undefined;
  const role = str(p.role);
  const caps = Array.isArray(p.caps) ? p.caps : [];
  const mode = p.mode === 'exclusive' ? 'exclusive' : 'collaborative';
  const sessionId = str(p.sid);
  const hostId = str(p.hid);
  const principal = str(p.sub);
  const ticketId = typeof p.jti === 'string' && TICKET_ID.test(p.jti) ? p.jti : undefined;
  const gen = p.gen === undefined ? 0 : p.gen;
  // Own properties only: a role named `__proto__` or `toString` is no role.
  if (!role || !Object.hasOwn(ROLES, role) || !sessionId || !hostId || !principal || !ticketId) {
    throw new TicketError('malformed');
  }
  if (typeof gen !== 'number' || !Number.isSafeInteger(gen) || gen < 0)
    throw new TicketError('malformed');
  const known = caps.filter((c): c is CapabilityName =>
    (CAPABILITY_NAMES as readonly unknown[]).includes(c),
  );
  return {
    principal,
    displayName: str(p.name) ?? principal,
    sessionId,
    hostId,
    role: role as Role,
    capabilities: capabilityMask(known),
    mode,
    ticketId,
    expiresAt: (p.exp as number) * 1000,
    grantGeneration: gen,
    shared: p.via === 'share',
  };
}
