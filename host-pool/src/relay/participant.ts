import type { MessageOf, Role } from '@browserpane/protocol';
import type { Peer } from './peer.ts';
import { RequestBudget, type RequestLimits } from './request-budget.ts';
import type { TicketClaims } from './tickets.ts';
import { TileSerializer } from './tile-serializer.ts';

/** Frames a client may have sent but not acknowledged before it counts as behind. */
const MAX_UNACKED_FRAMES = 4;

/** One admitted connection in a session hub. */
export class Participant {
  readonly serializer: TileSerializer;
  readonly joinedAt = new Date();
  /** Set when the client must get a full picture before any further update. */
  needsRefresh = true;
  lastAckedSeq = 0;
  acksSeen = false;
  rttMicros = 0;
  lastReport: MessageOf<'statsReport'> | undefined;
  /** Cursor shape serials this client has received. */
  readonly cursorSerials = new Set<number>();
  /** Refused (dropped) messages by type, e.g. a viewer's key presses. */
  readonly refused = new Map<string, number>();
  /** What it may make the relay send on request (refreshes, repairs, pings). */
  readonly budget: RequestBudget;
  /** A refresh or repairs it asked for that wait for its budget. */
  refreshTimer: NodeJS.Timeout | undefined;
  /** A refresh it asked for over its budget, sent when the budget allows. */
  refreshDeferred = false;
  /**
   * Tiles it lacked that wait for its byte budget: tile index → the hash it named. Keyed by
   * position, so it never holds more than one entry per tile of the screen.
   */
  readonly pendingRepairs = new Map<string, { col: number; row: number; hash: number }>();
  /** It asked for the next full picture (its bytes count against its budget when it goes). */
  refreshRequested = false;

  constructor(
    readonly id: string,
    readonly peer: Peer,
    readonly claims: TicketClaims,
    /** The role granted (the ticket's, or viewer when the client asked for less). */
    readonly role: Role,
    /** Protocol capabilities granted in serverHello. */
    readonly capabilities: number,
    readonly clientName: string,
    limits?: RequestLimits,
  ) {
    this.serializer = new TileSerializer(capabilities);
    this.budget = new RequestBudget(limits);
  }

  /** Too far behind to take another incremental update now. */
  get behind(): boolean {
    if (this.peer.lagging) return true;
    return this.acksSeen && this.serializer.lastSentSeq - this.lastAckedSeq > MAX_UNACKED_FRAMES;
  }

  refuse(type: string): void {
    this.refused.set(type, (this.refused.get(type) ?? 0) + 1);
    this.peer.stats.messagesRefused++;
  }

  ack(seq: number): void {
    this.acksSeen = true;
    if (seq > this.lastAckedSeq) this.lastAckedSeq = seq;
  }
}
