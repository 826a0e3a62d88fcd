/** Rolling client statistics, for the console and for benchmarks. */
export interface ClientStats {
  readonly transport: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly framesPresented: number;
  readonly fps: number;
  readonly rttMs: number;
  readonly tilesDecoded: number;
  readonly tilesFromCache: number;
  readonly cacheMisses: number;
  readonly decodeErrors: number;
  readonly lastDecodeMs: number;
}

/** Frames presented per second over the last second. */
export class FpsMeter {
  private readonly times: number[] = [];

  tick(now = performance.now()): void {
    this.times.push(now);
    while (this.times.length && (this.times[0] as number) < now - 1000) this.times.shift();
  }

  get fps(): number {
    const now = performance.now();
    while (this.times.length && (this.times[0] as number) < now - 1000) this.times.shift();
    return this.times.length;
  }
}
