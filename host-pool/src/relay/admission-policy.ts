import { CAP, type Role } from '@browserpane/protocol';
import type { TicketClaims } from './tickets.ts';

/** What a participant that only watches may be granted: the picture, the cursor and audio. */
export const RECEIVE_ONLY = CAP.tileCache | CAP.copyRect | CAP.cursor | CAP.video | CAP.audioOut;

/**
 * Connections a session admits per role. Each role has its own slots, so no role can fill the
 * session for another: sixteen automation attachments do not lock the owner out, a crowd of
 * viewers does not either. CDP gateway attachments count as `automation`. A session has one
 * recording worker at a time (`recorder`): it never takes a person's slot, nor a viewer's.
 */
export type RoleLimits = Readonly<Record<Role, number>>;

export const DEFAULT_ROLE_LIMITS: RoleLimits = {
  owner: 4,
  viewer: 16,
  automation: 8,
  recorder: 1,
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

  /**
   * The role a connection gets: its ticket's, or `viewer` when it asks for less. Never for a
   * recorder's ticket: the recording worker connects as itself (one slot of its own), so its
   * ticket cannot fill a viewer's slot.
   */
  roleFor(ticketRole: Role, helloRole: Role): Role | undefined {
    if (helloRole === ticketRole) return ticketRole;
    if (helloRole === 'viewer' && ticketRole !== 'recorder') return 'viewer';
    return undefined;
  }

  /**
   * The most a connection of `role` (on a ticket of `ticketRole`) may be granted, before the
   * ticket's own capabilities and the host's narrow it: a recorder, and anyone who joined as less
   * than their ticket, watch only — no input, clipboard, files, microphone, camera or resize.
   */
  capabilityCeiling(role: Role, ticketRole: Role): number {
    return role === 'recorder' || role !== ticketRole ? RECEIVE_ONLY : ~0 >>> 0;
  }

  /** Whether one more connection of `role` fits, given how many of that role are connected. */
  hasRoom(role: Role, connected: number): boolean {
    return connected < this.limits[role];
  }
}
