/**
 * What round trip to show: nothing for the first measurement, then the median of the latest few.
 * The first ping goes out as the connection opens, while the page (and the host) are busy
 * starting the picture — it came back after 739 ms on loopback — and is not what the connection
 * costs; the SDK pings every 5 s after it.
 */
export class RttSettler {
  private samples: number[] = [];
  private seen = 0;
  private last: number | undefined;

  constructor(
    private readonly window = 5,
    private readonly skip = 1,
  ) {}

  reset(): void {
    this.samples = [];
    this.seen = 0;
    this.last = undefined;
  }

  /** Takes the latest measurement (repeats of the same one count once); returns what to show. */
  add(rttMs: number): number | undefined {
    if (Number.isFinite(rttMs) && rttMs > 0 && rttMs !== this.last) {
      this.last = rttMs;
      if (++this.seen > this.skip) {
        this.samples.push(rttMs);
        if (this.samples.length > this.window) this.samples.shift();
      }
    }
    return this.settled();
  }

  /** The median of the measurements after the skipped ones (undefined before there is one). */
  settled(): number | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
}
