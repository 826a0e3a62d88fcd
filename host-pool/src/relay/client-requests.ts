import { CLOSE_CODES, type MessageOf } from '@browserpane/protocol';
import type { FrameSource } from '../types.ts';
import type { Participant } from './participant.ts';
import type { PictureFanout } from './picture-fanout.ts';

/**
 * What a client asks the relay to send — a ping's pong, a full picture, a tile it lacked — within
 * its {@link RequestBudget}. A client that asks too often gets one `rate_limited` notice, its
 * pings go unanswered and its refreshes and repairs fold into one refresh sent when the budget
 * allows; nobody else's stream is touched (each client has its own budget and its own queue).
 */
export class ClientRequests {
  constructor(
    private readonly picture: PictureFanout,
    private readonly source: FrameSource,
  ) {}

  ping(p: Participant, m: MessageOf<'ping'>): void {
    if (!p.budget.ping.take()) return this.throttle(p);
    p.peer.send({ type: 'pong', seq: m.seq, echoTimestampUs: m.timestampUs, timestampUs: nowUs() });
  }

  refresh(p: Participant): void {
    if (p.budget.mayRefresh()) return this.sendRequested(p);
    this.throttle(p);
    this.later(p);
  }

  cacheMiss(p: Participant, m: MessageOf<'cacheMiss'>): void {
    if (p.budget.solicitedBytes.available() <= 0) {
      // Over the byte budget: forget the tile (the next picture carries its pixels) and refresh later.
      p.serializer.forget(m.hash);
      this.throttle(p);
      this.later(p);
      return;
    }
    const bytes = p.serializer.repair(
      m.hash,
      this.source.tileAt(m.col, m.row),
      p.serializer.lastSentSeq,
      nowUs(),
    );
    if (!bytes) return;
    p.budget.solicitedBytes.spend(bytes.byteLength);
    p.peer.sendBytes(bytes);
  }

  /** Stops the pending deferred refresh (the participant left). */
  forget(p: Participant): void {
    clearTimeout(p.refreshTimer);
    p.refreshTimer = undefined;
  }

  /** The picture goes now, or once the participant caught up; its bytes are charged either way. */
  private sendRequested(p: Participant): void {
    p.needsRefresh = true;
    p.refreshRequested = true;
    this.picture.catchUp(p);
  }

  /** One refresh, as soon as the budget allows (at most one pending per client). */
  private later(p: Participant): void {
    if (p.refreshTimer || p.peer.closed) return;
    p.refreshTimer = setTimeout(
      () => {
        p.refreshTimer = undefined;
        if (p.peer.closed) return;
        if (p.budget.mayRefresh()) this.sendRequested(p);
        else this.later(p);
      },
      Math.max(20, p.budget.msUntilRefresh()),
    );
    p.refreshTimer.unref();
  }

  private throttle(p: Participant): void {
    p.budget.throttled++;
    if (p.budget.throttled % 1000 !== 1) return; // the 1st, 1001st … time
    p.peer.send({
      type: 'notice',
      level: 'warning',
      code: CLOSE_CODES.rate_limited,
      message: 'too many requests: refreshes, repairs and pings are being limited',
    });
  }
}

function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
