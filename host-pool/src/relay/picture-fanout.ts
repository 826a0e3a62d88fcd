import { CAP } from '@browserpane/protocol';
import { countPicture } from '../metrics/traffic.ts';
import type { CursorSource, CursorUpdate, FrameSource, FrameUpdate } from '../types.ts';
import type { Participant } from './participant.ts';

/**
 * Sends the picture and the cursor to each participant at that participant's own pace. Every
 * update goes to those keeping up; one that is behind (unacknowledged frames, bytes queued) or
 * cannot apply an update skips it and gets the whole current picture as soon as it caught up, so a
 * slow participant never delays the others and never sees a stale copy-rect.
 */
export class PictureFanout {
  constructor(
    private readonly source: FrameSource,
    private readonly cursor: CursorSource | undefined,
    private readonly participants: () => Iterable<Participant>,
  ) {}

  onFrame(update: FrameUpdate): void {
    for (const p of this.participants()) {
      if (p.needsRefresh || p.behind || !p.serializer.canApply(update)) {
        p.needsRefresh = true;
        p.peer.stats.framesDropped++;
        countPicture('dropped');
        if (!p.behind) this.sendPicture(p);
        continue;
      }
      p.peer.sendBytes(p.serializer.encode(update));
      p.peer.stats.framesSent++;
      countPicture('sent');
    }
  }

  /** A lagging participant drained its queue (or asked for a refresh): the current picture. */
  catchUp(p: Participant): void {
    if (p.needsRefresh && !p.behind) this.sendPicture(p);
  }

  /** The whole current picture, now (charged to the participant's budget when it asked for it). */
  sendPicture(p: Participant): void {
    const bytes = p.serializer.encode(this.source.snapshot());
    p.peer.sendBytes(bytes);
    p.peer.stats.framesSent++;
    countPicture('sent');
    p.needsRefresh = false;
    if (p.refreshRequested) {
      p.refreshRequested = false;
      p.budget.solicitedBytes.spend(bytes.byteLength);
    }
  }

  /** The current cursor shape and position, for a participant that just joined. */
  sendCursor(p: Participant): void {
    if (!(p.capabilities & CAP.cursor) || !this.cursor) return;
    const { shape, position } = this.cursor.current();
    if (shape) {
      p.peer.send(shape);
      p.cursorSerials.add(shape.serial);
    }
    if (position) p.peer.send(position);
  }

  /** A cursor change: a shape a participant never got is sent in full instead of by serial. */
  onCursor(update: CursorUpdate): void {
    for (const p of this.participants()) {
      if (!(p.capabilities & CAP.cursor)) continue;
      if (update.type === 'cursorCached' && !p.cursorSerials.has(update.serial)) {
        const shape = this.cursor?.current().shape;
        if (shape) {
          p.peer.send(shape);
          p.cursorSerials.add(shape.serial);
        }
        continue;
      }
      if (update.type === 'cursorShape') p.cursorSerials.add(update.serial);
      p.peer.send(update);
    }
  }
}
