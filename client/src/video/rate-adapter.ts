/** Lowest rate the client ever asks for, in kbit/s. */
export const MIN_HINT_KBPS = 200;

export interface RateAdapterOptions {
  /** Decoder queue length above which decoding counts as falling behind. */
  readonly behindQueue?: number;
  /** How long falling behind lasts before the client asks for fewer bits (ms). */
  readonly backoffAfterMs?: number;
  /** How long decoding keeps up before the client asks for more again (ms). */
  readonly recoverAfterMs?: number;
}

/**
 * Decides the `bitrateHint` a client sends: multiplicative decrease when the video decoder falls
 * behind for a while (to 70 % of what actually arrived), gentle increase (+25 %) after decoding kept
 * up for a few seconds, and, once the ask is well above what arrives, no limit at all (hint 0) —
 * so one busy moment does not pin the stream at a low rate for the rest of the session.
 */
export class RateAdapter {
  private readonly behindQueue: number;
  private readonly backoffAfterMs: number;
  private readonly recoverAfterMs: number;
  /** Current ask in kbit/s; 0 = no limit. */
  private target = 0;
  private behindSince = 0;
  private healthySince = 0;
  private windowStart = 0;
  private windowBytes = 0;
  private arrivingKbps = 0;

  constructor(options: RateAdapterOptions = {}) {
    this.behindQueue = options.behindQueue ?? 2;
    this.backoffAfterMs = options.backoffAfterMs ?? 500;
    this.recoverAfterMs = options.recoverAfterMs ?? 3000;
  }

  /** The current ask (kbit/s, 0 = unlimited). */
  get targetKbps(): number {
    return this.target;
  }

  /** Bytes of video that just arrived. */
  received(bytes: number, now: number): void {
    if (!this.windowStart) this.windowStart = now;
    this.windowBytes += bytes;
    const elapsed = now - this.windowStart;
    if (elapsed >= 1000) {
      const kbps = (this.windowBytes * 8) / elapsed;
      this.arrivingKbps = this.arrivingKbps ? this.arrivingKbps * 0.5 + kbps * 0.5 : kbps;
      this.windowStart = now;
      this.windowBytes = 0;
    }
  }

  /** The decoder's queue length now; returns a new ask to send, or undefined to send nothing. */
  observe(queue: number, now: number): number | undefined {
    if (queue > this.behindQueue) {
      this.healthySince = 0;
      if (!this.behindSince) this.behindSince = now;
      if (now - this.behindSince < this.backoffAfterMs) return undefined;
      this.behindSince = now;
      const base = this.target || this.arrivingKbps || 1500;
      return this.set(
        Math.max(MIN_HINT_KBPS, Math.round(Math.min(base, this.arrivingKbps || base) * 0.7)),
      );
    }
    this.behindSince = 0;
    if (!this.target || queue > 1) {
      this.healthySince = 0;
      return undefined;
    }
    if (!this.healthySince) this.healthySince = now;
    if (now - this.healthySince < this.recoverAfterMs) return undefined;
    this.healthySince = now;
    const next = Math.round(this.target * 1.25);
    // the host is sending well under the ask anyway: lift the limit
    const unneeded = this.arrivingKbps > 0 && next > this.arrivingKbps * 3;
    return this.set(unneeded ? 0 : next);
  }

  private set(kbps: number): number | undefined {
    if (kbps === this.target) return undefined;
    this.target = kbps;
    return kbps;
  }
}
