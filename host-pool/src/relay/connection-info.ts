/** How a session's connections are described to the agent (and, through it, to the edge). */
import type { Role } from '@browserpane/protocol';
import type { Participant } from './participant.ts';

/** A connection that is not a protocol client (a CDP gateway attachment), listed with the rest. */
export interface ExternalAttachment {
  readonly connectionId: string;
  readonly role: Role;
  readonly principal: string;
  readonly displayName: string;
  readonly connectedAt: string;
  readonly client: string;
  /** The grant generation of the ticket that admitted it (cut when a newer one revokes it). */
  readonly grantGeneration: number;
  /** Cuts the attachment (disconnect command, stop, kill, revocation). */
  close(reason: string): void;
}

export interface ConnectionInfo {
  readonly connectionId: string;
  readonly sessionId: string;
  readonly role: Role;
  readonly principal: string;
  readonly displayName: string;
  readonly connectedAt: string;
  readonly client: string;
  readonly stats: Record<string, number>;
}

/** A CDP attachment as a connection. */
export function attachmentInfo(sessionId: string, a: ExternalAttachment): ConnectionInfo {
  return {
    connectionId: a.connectionId,
    sessionId,
    role: a.role,
    principal: a.principal,
    displayName: a.displayName,
    connectedAt: a.connectedAt,
    client: a.client,
    stats: {},
  };
}

/** A protocol participant as a connection, with its transport, tile and request stats. */
export function participantInfo(sessionId: string, p: Participant): ConnectionInfo {
  return {
    connectionId: p.id,
    sessionId,
    role: p.role,
    principal: p.claims.principal,
    displayName: p.claims.displayName,
    connectedAt: p.joinedAt.toISOString(),
    client: p.clientName,
    stats: {
      ...p.peer.stats,
      ...p.serializer.stats,
      rttMicros: p.rttMicros,
      refused: [...p.refused.values()].reduce((a, b) => a + b, 0),
      throttled: p.budget.throttled,
    },
  };
}
