import { CLOSE_CODES, type MessageOf } from '@browserpane/protocol';
import type { FrameSource } from '../types.ts';
import type { Participant } from './participant.ts';
import type { PictureFanout } from './picture-fanout.ts';

/**
 * What a client asks the relay to send — a ping's pong, a full picture, a tile it lacked — within
 * its {@link RequestBudget}. A client that asks too often gets one `rate_limited` notice, its
 * pings go unanswered, its refreshes fold into one refresh and its repairs (at most one per tile)
 * wait, all sent when the budget allows; nobody else's stream is touched (each client has its
 * own budget and its own queue).
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
    this.later(p, true);
  }

  cacheMiss(p: Participant, m: MessageOf<'cacheMiss'>): void {
    if (p.budget.solicitedBytes.available() <= 0) {
      // Over the byte budget: the repair waits for the budget. It is never turned into a picture
      // of pixels, which would cost the relay the bytes without charging them to anyone.
      p.pendingRepairs.set(`${m.col},${m.row}`, { col: m.col, row: m.row, hash: m.hash });
      this.throttle(p);
      this.later(p);
      return;
    }
    this.repair(p, m.col, m.row, m.hash);
  }

  private repair(p: Participant, col: number, row: number, hash: number): void {
    const bytes = p.serializer.repair(
      hash,
      this.source.tileAt(col, row),
      p.serializer.lastSentSeq,
      nowUs(),
    );
    if (!bytes) return;
    p.budget.solicitedBytes.spend(bytes.byteLength);
    p.peer.sendBytes(bytes);
  }

  /** Stops what waits for the budget (the participant left). */
  forget(p: Participant): void {
    clearTimeout(p.refreshTimer);
    p.refreshTimer = undefined;
    p.refreshDeferred = false;
    p.pendingRepairs.clear();
  }

  /** The picture goes now, or once the participant caught up; its bytes are charged either way. */
  private sendRequested(p: Participant): void {
    p.needsRefresh = true;
    p.refreshRequested = true;
    this.picture.catchUp(p);
  }

  /** What waits for the budget goes as soon as it allows (one timer per client). */
  private later(p: Participant, refresh = false): void {
    if (refresh) p.refreshDeferred = true;
    if (p.refreshTimer || p.peer.closed) return;
    const wait = p.refreshDeferred ? p.budget.msUntilRefresh() : p.budget.solicitedBytes.msUntil(1);
    p.refreshTimer = setTimeout(
      () => {
        p.refreshTimer = undefined;
        if (p.peer.closed) return;
        this.flushDeferred(p);
      },
      Math.max(20, wait),
    );
    p.refreshTimer.unref();
  }

  private flushDeferred(p: Participant): void {
    if (p.refreshDeferred && p.budget.mayRefresh()) {
      p.refreshDeferred = false;
      this.sendRequested(p);
    }
    for (const [key, tile] of p.pendingRepairs) {
      if (p.budget.solicitedBytes.available() <= 0) break;
      p.pendingRepairs.delete(key);
      this.repair(p, tile.col, tile.row, tile.hash);
    }
    if (p.refreshDeferred || p.pendingRepairs.size > 0) this.later(p);
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
