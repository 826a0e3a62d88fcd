import { CAP, encodeMessage, type Message } from '@browserpane/protocol';
import type { Rect } from '../encode/tile-grid.ts';
import type { Participant } from '../relay/participant.ts';
import type { SessionHub } from '../relay/session-hub.ts';
import type { H264Encoder } from './h264-encoder.ts';

/** Fewest milliseconds between two forced keyframes (joins and recoveries share them). */
const KEYFRAME_SPACING_MS = 300;

interface ViewerState {
  /** The viewer got `videoStreamStart` and a keyframe: deltas may follow. */
  keyed: boolean;
}

export interface StreamStats {
  frames: number;
  keyframes: number;
  bytes: number;
  skippedForLag: number;
}

/**
 * One region shown as H.264: encodes its pixels and sends each access unit to every participant
 * granted `video`. A participant starts (and restarts after falling behind) at a keyframe, which is
 * forced for it; until then it gets no deltas. Keyframes and parameter sets always go on the
 * reliable stream.
 */
export class VideoStream {
  readonly stats: StreamStats = { frames: 0, keyframes: 0, bytes: 0, skippedForLag: 0 };
  private readonly viewers = new Map<string, ViewerState>();
  private frameId = 0;
  private lastForcedKey = Number.NEGATIVE_INFINITY;

  constructor(
    readonly streamId: number,
    readonly region: Rect,
    private readonly encoder: H264Encoder,
    private readonly hub: SessionHub,
  ) {}

  /** Encodes and sends one frame of the region (B, G, R, X, region-sized). */
  push(pixels: Buffer, ptsUs: number): void {
    const viewers = this.hub.list().filter((p) => p.capabilities & CAP.video);
    if (viewers.some((p) => !this.viewers.get(p.id)?.keyed && !p.behind)) this.forceKeyframe();
    for (const au of this.encoder.encode(pixels, ptsUs)) {
      const fragment = encodeMessage({
        type: 'videoFragment',
        streamId: this.streamId,
        frameId: this.frameId++ >>> 0,
        keyframe: au.keyframe,
        ptsUs: au.ptsUs,
        ...this.region,
        fragIndex: 0,
        fragCount: 1,
        data: au.data,
      });
      this.stats.frames++;
      if (au.keyframe) this.stats.keyframes++;
      for (const p of viewers) this.deliver(p, fragment, au.keyframe);
    }
  }

  /** Stops showing the region: everyone drops the overlay; tiles repaint it. */
  end(): void {
    this.hub.broadcast({ type: 'videoStreamEnd', streamId: this.streamId }, 'video');
    this.viewers.clear();
    this.encoder.close();
  }

  forget(p: Participant): void {
    this.viewers.delete(p.id);
  }

  setMaxKbps(kbps: number): void {
    this.encoder.setMaxKbps(kbps);
  }

  private deliver(p: Participant, fragment: Uint8Array, keyframe: boolean): void {
    let state = this.viewers.get(p.id);
    if (!state) {
      state = { keyed: false };
      this.viewers.set(p.id, state);
    }
    if (p.behind) {
      state.keyed = false;
      this.stats.skippedForLag++;
      return;
    }
    if (!state.keyed) {
      if (!keyframe) return;
      p.peer.send(this.startMessage());
      state.keyed = true;
    }
    p.peer.sendBytes(fragment);
    this.stats.bytes += fragment.byteLength;
  }

  private startMessage(): Message {
    return {
      type: 'videoStreamStart',
      streamId: this.streamId,
      codec: this.encoder.codec,
      ...this.region,
    };
  }

  private forceKeyframe(): void {
    const now = performance.now();
    if (now - this.lastForcedKey < KEYFRAME_SPACING_MS) return;
    this.lastForcedKey = now;
    this.encoder.requestKeyframe();
  }
}
