import { randomBytes } from 'node:crypto';
import {
  CAP,
  type CapabilityName,
  CLOSE_CODES,
  fitUtf8,
  type Message,
  type MessageOf,
  type MessageType,
  messageInfo,
  negotiate,
  PROTOCOL_VERSION,
  type Role,
} from '@browserpane/protocol';
import type { Logger } from '../log.ts';
import type { CursorSource, FrameSource, InputMessage, InputSink } from '../types.ts';
import { AdmissionPolicy, type RoleLimits } from './admission-policy.ts';
import { ClientRequests } from './client-requests.ts';
import {
  attachmentInfo,
  type ConnectionInfo,
  type ExternalAttachment,
  participantInfo,
} from './connection-info.ts';
import { type OwnerMode, Ownership } from './ownership.ts';
import { Participant } from './participant.ts';
import { HandshakeError, Peer, type PeerOptions } from './peer.ts';
import { PictureFanout } from './picture-fanout.ts';
import type { RequestLimits } from './request-budget.ts';
import type { TicketClaims } from './tickets.ts';
import type { WtSession } from './transport-types.ts';

/** What a viewer keeps when it asked for less than its ticket allows. */
export type { ConnectionInfo, ExternalAttachment } from './connection-info.ts';

export type MessageHandler = (message: Message, from: Participant) => void;

export interface SessionHubOptions {
  readonly sessionId: string;
  readonly mode: OwnerMode;
  readonly source: FrameSource;
  readonly cursor?: CursorSource | undefined;
  readonly input?: InputSink | undefined;
  /** What this host can serve for the session right now (features, devices). */
  readonly hostCapabilities: number;
  /** Connections per role (default: DEFAULT_ROLE_LIMITS). */
  readonly roleLimits?: RoleLimits;
  /** What each client may make the relay send on request (default: DEFAULT_REQUEST_LIMITS). */
  readonly requestLimits?: RequestLimits;
  readonly peerOptions?: PeerOptions;
  readonly log: Logger;
  /** Called when the participant list changes (the agent reports it to the edge). */
  readonly onChange?: () => void;
}

/**
 * One live session's meeting point: admits connections (handshake, role, capabilities), fans the
 * display's frame updates out to every participant at that participant's own pace, and routes
 * what participants send through the session policy. A slow participant never delays another: it
 * skips updates and gets a fresh picture once it has caught up.
 */
export class SessionHub {
  private readonly participants = new Map<string, Participant>();
  private readonly external = new Map<string, ExternalAttachment>();
  private readonly handlers = new Map<MessageType, MessageHandler>();
  private readonly joinListeners = new Set<(p: Participant) => void>();
  private readonly leaveListeners = new Set<(p: Participant) => void>();
  private readonly ownership: Ownership;
  private readonly picture: PictureFanout;
  private readonly requests: ClientRequests;
  private readonly policy: AdmissionPolicy;
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: SessionHubOptions) {
    this.ownership = new Ownership(options.mode);
    this.policy = new AdmissionPolicy(options.roleLimits);
    this.picture = new PictureFanout(options.source, options.cursor, () =>
      this.participants.values(),
    );
    this.requests = new ClientRequests(this.picture, options.source);
    this.unsubscribe.push(options.source.onFrame((u) => this.picture.onFrame(u)));
    if (options.cursor)
      this.unsubscribe.push(options.cursor.onCursor((c) => this.picture.onCursor(c)));
    options.source.setActive(false);
  }

  get size(): number {
    return this.participants.size;
  }

  /** Routes messages of `type` (clipboard, files, resize …) that pass policy to `handler`. */
  handle(type: MessageType, handler: MessageHandler): void {
    this.handlers.set(type, handler);
  }

  /** Calls `listener` for every participant that joins from now on (after its first picture). */
  onJoin(listener: (p: Participant) => void): () => void {
    this.joinListeners.add(listener);
    return () => this.joinListeners.delete(listener);
  }

  /** Calls `listener` when a participant leaves. */
  onLeave(listener: (p: Participant) => void): () => void {
    this.leaveListeners.add(listener);
    return () => this.leaveListeners.delete(listener);
  }

  /** Sends `message` to every participant granted `capability` (all when omitted). */
  broadcast(message: Message, capability?: CapabilityName): void {
    for (const p of this.participants.values()) {
      if (!capability || p.capabilities & CAP[capability]) p.peer.send(message);
    }
  }

  /** Sends already-encoded frames to every participant granted `capability`. */
  broadcastBytes(bytes: Uint8Array, capability?: CapabilityName): void {
    for (const p of this.participants.values()) {
      if (!capability || p.capabilities & CAP[capability]) p.peer.sendBytes(bytes);
    }
  }

  /** The participants now (read-only use). */
  list(): Participant[] {
    return [...this.participants.values()];
  }

  /** Whether `p` may drive the session now (owner; the controller in exclusive mode). */
  controls(p: Participant): boolean {
    return this.ownership.canControl(p);
  }

  /** The session's grant generation as this host knows it (from the edge's desired state). */
  get grantGeneration(): number {
    return this.policy.grantGeneration;
  }

  /**
   * Takes the session's grant generation from the edge: when it grew (a delegate was revoked),
   * automation connections admitted under an older one are cut, and later ones refused.
   */
  setGrantGeneration(generation: number): void {
    if (!this.policy.advance(generation)) return;
    let cut = 0;
    for (const p of this.participants.values()) {
      if (!this.policy.revoked(p.claims)) continue;
      p.peer.close(
        'grant_revoked',
        p.claims.shared ? 'the share was revoked' : 'the automation grant was revoked',
      );
      cut++;
    }
    for (const a of this.external.values()) {
      if (!this.policy.revoked({ role: 'automation', grantGeneration: a.grantGeneration }))
        continue;
      a.close('grant revoked');
      cut++;
    }
    this.options.log.info('grant generation advanced', { generation, cut });
  }

  /** Whether a ticket with these claims may still admit a connection (not revoked since). */
  admitsGrant(claims: Pick<TicketClaims, 'role' | 'grantGeneration' | 'shared'>): boolean {
    return !this.policy.revoked(claims);
  }

  /** Whether one more connection of `role` fits (each role has slots of its own). */
  hasRoom(role: Role): boolean {
    let connected = 0;
    for (const p of this.participants.values()) if (p.role === role) connected++;
    if (role === 'automation')
      for (const a of this.external.values()) if (a.role === 'automation') connected++;
    return this.policy.hasRoom(role, connected);
  }

  /** Whether `p` may resize the display. */
  mayResize(p: Participant): boolean {
    return this.ownership.canResize(p);
  }

  /** Runs the handshake on a new connection and, when it succeeds, adds the participant. */
  async admit(session: WtSession, claims: TicketClaims): Promise<void> {
    const peer = new Peer(session, this.options.peerOptions);
    let hello: MessageOf<'clientHello'>;
    try {
      hello = await peer.handshake();
    } catch (err) {
      peer.close(
        err instanceof HandshakeError ? err.code : 'handshake_required',
        'expected clientHello first',
      );
      return;
    }
    if (this.closed) return peer.close('session_unavailable', 'session is stopping');
    const role = this.policy.roleFor(claims.role, hello.role);
    if (!role) return this.reject(peer, 'role_not_permitted', `ticket grants ${claims.role}`);
    if (this.policy.revoked(claims))
      return this.reject(peer, 'grant_revoked', 'the automation grant was revoked');
    if (!this.hasRoom(role)) {
      return this.reject(peer, 'session_full', `no ${role} slot is free in this session`);
    }
    const allowed =
      claims.capabilities &
      this.options.hostCapabilities &
      this.policy.capabilityCeiling(role, claims.role);
    const result = negotiate(hello, { capabilities: allowed >>> 0 });
    if (!result.ok) return this.reject(peer, 'unsupported_version', result.message);

    const p = new Participant(
      `c-${randomBytes(6).toString('hex')}`,
      peer,
      claims,
      role,
      result.capabilities,
      hello.clientName,
      this.options.requestLimits,
    );
    this.ownership.join(p);
    this.participants.set(p.id, p);
    peer.send({
      type: 'serverHello',
      version: PROTOCOL_VERSION,
      role: this.ownership.effectiveRole(p),
      capabilities: p.capabilities,
      access: this.ownership.access(p),
      sessionId: this.options.sessionId,
      connectionId: p.id,
      displayWidth: this.options.source.grid.width,
      displayHeight: this.options.source.grid.height,
    });
    peer.listen(
      (m) => this.onMessage(p, m),
      () => this.picture.catchUp(p),
    );
    peer.onClose((code, reason) => this.leave(p, code, reason));
    if (this.participants.size === 1) this.options.source.setActive(true);
    this.picture.sendPicture(p);
    this.picture.sendCursor(p);
    for (const other of this.participants.values()) {
      if (other === p) continue;
      p.peer.send(joined(other));
      other.peer.send(joined(p));
    }
    this.announceOwnership();
    for (const l of this.joinListeners) l(p);
    this.options.log.info('participant joined', {
      connectionId: p.id,
      role,
      principal: claims.principal,
    });
    this.options.onChange?.();
  }

  /** Lists a non-protocol connection (CDP) until the returned function is called. */
  attach(attachment: ExternalAttachment): () => void {
    this.external.set(attachment.connectionId, attachment);
    this.options.onChange?.();
    return () => {
      if (this.external.delete(attachment.connectionId)) this.options.onChange?.();
    };
  }

  connections(): ConnectionInfo[] {
    const id = this.options.sessionId;
    return [
      ...[...this.external.values()].map((a) => attachmentInfo(id, a)),
      ...[...this.participants.values()].map((p) => participantInfo(id, p)),
    ];
  }

  disconnect(connectionId: string): boolean {
    const p = this.participants.get(connectionId);
    p?.peer.close('disconnected_by_operator', 'disconnected by an operator');
    const a = this.external.get(connectionId);
    a?.close('disconnected by an operator');
    return p !== undefined || a !== undefined;
  }

  disconnectAll(
    code:
      | 'disconnected_by_operator'
      | 'session_stopped'
      | 'session_killed'
      | 'runtime_restarting'
      | 'server_shutdown' = 'disconnected_by_operator',
  ): void {
    for (const p of this.participants.values()) p.peer.close(code, code.replace(/_/g, ' '));
    for (const a of this.external.values()) a.close(code.replace(/_/g, ' '));
  }

  close(code: 'session_stopped' | 'session_killed' | 'server_shutdown' = 'session_stopped'): void {
    this.closed = true;
    this.disconnectAll(code);
    for (const off of this.unsubscribe) off();
  }

  private reject(
    peer: Peer,
    code: 'role_not_permitted' | 'session_full' | 'unsupported_version' | 'grant_revoked',
    message: string,
  ): void {
    peer.send({ type: 'reject', code: CLOSE_CODES[code], message });
    peer.close(code, message);
  }

  private leave(p: Participant, code: number, reason: string): void {
    if (!this.participants.delete(p.id)) return;
    this.requests.forget(p);
    const controllerChanged = this.ownership.leave(p);
    if (this.ownership.canControl(p) || controllerChanged) void this.options.input?.releaseAll();
    for (const other of this.participants.values()) {
      other.peer.send({
        type: 'participantLeft',
        connectionId: p.id,
        reason: code === 0 ? 'left' : 'disconnected',
      });
    }
    if (controllerChanged) this.announceOwnership();
    for (const l of this.leaveListeners) l(p);
    if (this.participants.size === 0) this.options.source.setActive(false);
    this.options.log.info('participant left', { connectionId: p.id, code, reason });
    this.options.onChange?.();
  }

  private announceOwnership(): void {
    const owner = this.ownership.primary?.id ?? '';
    for (const p of this.participants.values()) {
      p.peer.send({
        type: 'ownershipChanged',
        ownerConnectionId: owner,
        automationOwner: '',
        yourRole: this.ownership.effectiveRole(p),
        yourAccess: this.ownership.access(p),
      });
    }
  }

  private onMessage(p: Participant, m: Message): void {
    const required = messageInfo(m.type).requires;
    if (required && !(p.capabilities & CAP[required])) return p.refuse(m.type);
    switch (m.type) {
      case 'ping':
        return this.requests.ping(p, m);
      case 'pong':
        p.rttMicros = Math.max(0, nowUs() - m.echoTimestampUs);
        return;
      case 'goodbye':
        return p.peer.close('normal', 'client left');
      case 'statsReport':
        p.lastReport = m;
        return;
      case 'frameAck':
        p.ack(m.seq);
        return this.picture.catchUp(p);
      case 'refreshRequest':
        return this.requests.refresh(p);
      case 'cacheMiss':
        return this.requests.cacheMiss(p, m);
      case 'clientHello':
        return; // a repeated hello changes nothing
      default:
        break;
    }
    // A bitrate hint reports the sender's own downlink: every participant may send one.
    if (m.type === 'bitrateHint') return this.handlers.get(m.type)?.(m, p);
    if (!this.ownership.canControl(p)) return p.refuse(m.type);
    if (messageInfo(m.type).channelName === 'input') {
      if (!this.options.input) return p.refuse(m.type);
      void Promise.resolve(this.options.input.apply(m as InputMessage)).catch((err) =>
        this.options.log.warn('input failed', { type: m.type, err }),
      );
      return;
    }
    const handler = this.handlers.get(m.type);
    if (!handler) return p.refuse(m.type);
    handler(m, p);
  }
}

function joined(p: Participant): Message {
  return {
    type: 'participantJoined',
    connectionId: p.id,
    role: p.role,
    displayName: fitUtf8(p.claims.displayName, 128),
  };
}

function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
