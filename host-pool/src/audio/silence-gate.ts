import { FRAME_MS } from './pcm-format.ts';

export interface SilenceGateOptions {
  /** Frames quieter than this (RMS over all channels, dBFS) count as silent. */
  readonly thresholdDbfs: number;
  /** Keep sending this long after the last loud frame, so word and note endings are not cut. */
  readonly hangoverMs: number;
  /** Duration of one frame. */
  readonly frameMs: number;
}

/** The reference behaviour: −50 dBFS, 220 ms hangover, 20 ms frames. */
export const DEFAULT_SILENCE_GATE: SilenceGateOptions = {
  thresholdDbfs: -50,
  hangoverMs: 220,
  frameMs: FRAME_MS,
};

/** RMS level of interleaved s16le samples in dBFS (−Infinity for digital silence). */
export function rmsDbfs(pcm: Uint8Array): number {
  const samples = pcm.byteLength >> 1;
  if (samples === 0) return Number.NEGATIVE_INFINITY;
  const view = new DataView(pcm.buffer, pcm.byteOffset, samples * 2);
  let sum = 0;
  for (let i = 0; i < samples; i++) {
    const v = view.getInt16(i * 2, true);
    sum += v * v;
  }
  if (sum === 0) return Number.NEGATIVE_INFINITY;
  return 10 * Math.log10(sum / samples / (32768 * 32768));
}

/**
 * Decides per frame whether desktop audio goes on the wire: open while frames are louder than the
 * threshold and for the hangover after the last loud one, closed otherwise, so an idle page
 * costs no bytes at all.
 */
export class SilenceGate {
  private readonly hangoverFrames: number;
  private quietFrames: number;

  constructor(private readonly options: SilenceGateOptions = DEFAULT_SILENCE_GATE) {
    this.hangoverFrames = Math.ceil(options.hangoverMs / options.frameMs);
    this.quietFrames = this.hangoverFrames + 1;
  }

  /** Whether the last frame passed. */
  get open(): boolean {
    return this.quietFrames <= this.hangoverFrames;
  }

  /** Feeds one frame's level; returns whether to send it. */
  passLevel(dbfs: number): boolean {
    if (dbfs > this.options.thresholdDbfs) this.quietFrames = 0;
    else if (this.quietFrames <= this.hangoverFrames) this.quietFrames++;
    return this.open;
  }

  /** Feeds one frame of s16le PCM; returns whether to send it. */
  pass(pcm: Uint8Array): boolean {
    return this.passLevel(rmsDbfs(pcm));
  }

  /** Closes the gate (capture restarted). */
  reset(): void {
    this.quietFrames = this.hangoverFrames + 1;
  }
}
