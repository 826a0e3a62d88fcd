import {
  CAPABILITY_NAMES,
  type CapabilityName,
  capabilityMask,
  ROLES,
  type Role,
} from '@browserpane/protocol';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';

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
  | 'jwks_unavailable';

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
}

/**
 * Verifies EdDSA connect tickets against the edge's JWKS (fetched once, cached, refetched on an
 * unknown key id) and remembers every ticket id until it expires, so a ticket admits one
 * connection only.
 */
export class TicketVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly used = new Map<string, number>();
  private readonly maxLifetime: number;

  constructor(private readonly options: TicketVerifierOptions) {
    this.keys =
      options.keySet ??
      createRemoteJWKSet(new URL(options.jwksUrl), {
        cooldownDuration: 5_000,
        cacheMaxAge: 10 * 60_000,
      });
    this.maxLifetime = options.maxLifetimeSec ?? 120;
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
    this.sweep();
    if (this.used.has(claims.ticketId)) throw new TicketError('replayed');
    this.used.set(claims.ticketId, claims.expiresAt);
    return claims;
  }

  private sweep(): void {
    if (this.used.size < 1024) return;
    const now = Date.now();
    for (const [jti, exp] of this.used) if (exp < now - 10_000) this.used.delete(jti);
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
  const ticketId = str(p.jti);
  if (!role || !(role in ROLES) || !sessionId || !hostId || !principal || !ticketId) {
    throw new TicketError('malformed');
  }
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
  };
}
