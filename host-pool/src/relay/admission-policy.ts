import type { Role } from '@browserpane/protocol';
import type { TicketClaims } from './tickets.ts';

/**
 * Connections a session admits per role. Each role has its own slots, so no role can fill the
 * session for another: sixteen automation attachments do not lock the owner out, a crowd of
 * viewers does not either. CDP gateway attachments count as `automation`.
 */
export type RoleLimits = Readonly<Record<Role, number>>;

export const DEFAULT_ROLE_LIMITS: RoleLimits = {
  owner: 4,
  viewer: 16,
  automation: 8,
  recorder: 2,
};

/**
 * Who a session hub lets in: per-role connection limits, and the session's grant generation — an
 * automation grant (ticket, CDP grant) or a share's ticket minted under an older generation was
 * revoked by the session's owner and no longer admits anyone; live connections holding one are cut
 * when the host learns the new generation (people still shared with reconnect with a new ticket).
 */
export class AdmissionPolicy {
  private generation = 0;

  constructor(readonly limits: RoleLimits = DEFAULT_ROLE_LIMITS) {}

  get grantGeneration(): number {
    return this.generation;
  }

  /** Takes a newer generation from the edge; true when it changed (revocations happened). */
  advance(generation: number): boolean {
    if (!Number.isSafeInteger(generation) || generation <= this.generation) return false;
    this.generation = generation;
    return true;
  }

  /**
   * Whether `claims` is a delegated grant (automation, or a share of the session) that a later
   * revocation ended.
   */
  revoked(claims: Pick<TicketClaims, 'role' | 'grantGeneration'> & { shared?: boolean }): boolean {
    return (
      (claims.role === 'automation' || claims.shared === true) &&
      claims.grantGeneration < this.generation
    );
  }

  /** Whether one more connection of `role` fits, given how many of that role are connected. */
  hasRoom(role: Role, connected: number): boolean {
    return connected < this.limits[role];
  }
}
