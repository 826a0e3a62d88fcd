/**
 * When each written picture happened, in ms from the first. A picture made of tile frames gets the
 * time the host captured them (`frameBegin.timestampUs`), so a recorder that falls behind on a busy
 * machine still writes what the page showed for as long as it showed it; a picture that changed
 * only by ROI video or the cursor (they carry no capture time) gets the worker's own clock, less
 * the lag measured at the last tile frame. Times never go back (a muxer needs them rising).
 */
export class PictureClock {
  private captureOrigin: number | undefined;
  private lastCapture: number | undefined;
  private lagMs = 0;
  /** The first picture is written at 0. */
  private lastMs = 0;

  /**
   * Starts the clock at the first picture: `nowMs` on the worker's clock, `captureUs` the host's
   * capture time of what it shows.
   */
  constructor(
    private readonly startMs: number,
    captureUs: number | undefined,
  ) {
    this.captureOrigin = captureUs;
    this.lastCapture = captureUs;
  }

  /** The time of a picture composed at `nowMs` showing tile frames up to `captureUs`. */
  at(nowMs: number, captureUs: number | undefined): number {
    const elapsed = nowMs - this.startMs;
    let ms: number;
    if (captureUs !== undefined && captureUs !== this.lastCapture) {
      this.captureOrigin ??= captureUs - elapsed * 1000;
      this.lastCapture = captureUs;
      ms = (captureUs - this.captureOrigin) / 1000;
      this.lagMs = Math.max(0, elapsed - ms);
    } else ms = this.estimate(nowMs);
    ms = Math.max(ms, this.lastMs + 1);
    this.lastMs = ms;
    return ms;
  }

  /**
   * The media time `nowMs` maps to, by the worker's clock less the last measured lag, without
   * moving the clock (for hold frames, which must not push later pictures).
   */
  estimate(nowMs: number): number {
    return nowMs - this.startMs - this.lagMs;
  }

  /** The end of the recording at `nowMs` (after every picture). */
  end(nowMs: number): number {
    return this.at(nowMs, undefined);
  }
}
