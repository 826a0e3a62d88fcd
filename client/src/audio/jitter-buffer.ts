/** How the playback buffer behaves, in frames (samples per channel). */
export interface JitterBufferOptions {
  readonly channels: number;
  /** Ring size: the most audio ever held. */
  readonly capacityFrames: number;
  /** Start (and restart after running dry) once this much is buffered. */
  readonly startFrames: number;
  /** Buffered beyond this, the oldest audio is dropped … */
  readonly maxFrames: number;
  /** … down to this much. */
  readonly targetFrames: number;
}

export interface JitterBufferStats {
  underruns: number;
  droppedFrames: number;
  playedFrames: number;
  silentFrames: number;
}

export interface JitterBuffer {
  /** Appends one decoded block (one plane per channel; a mono block feeds every channel). */
  push(planes: readonly Float32Array[]): void;
  /** Fills `outputs` (one array per output channel) with `frames` frames; returns frames played. */
  pull(outputs: readonly Float32Array[], frames: number): number;
  readonly buffered: number;
  readonly playing: boolean;
  readonly stats: JitterBufferStats;
  reset(): void;
}

/** Playback defaults at 48 kHz: start at 100 ms, catch up past 250 ms, ring of 1 s. */
export function jitterOptions(sampleRate: number, channels: number): JitterBufferOptions {
  return {
    channels,
    capacityFrames: sampleRate,
    startFrames: Math.round(sampleRate * 0.1),
    maxFrames: Math.round(sampleRate * 0.25),
    targetFrames: Math.round(sampleRate * 0.1),
  };
}

/**
 * The playback jitter buffer that runs inside the AudioWorklet: a ring per channel that waits for
 * `startFrames` before playing (so network jitter does not crackle), plays silence and re-buffers
 * when it runs dry (the host sends nothing during silence, so every sound starts fresh), and drops
 * the oldest audio when more than `maxFrames` piled up (a stalled tab or a burst) to keep latency
 * bounded.
 *
 * Self-contained on purpose: its source text is put into the worklet module as is, so it may
 * not refer to anything outside its own body.
 */
export function createJitterBuffer(options: JitterBufferOptions): JitterBuffer {
  const capacity = options.capacityFrames;
  const rings: Float32Array[] = [];
  for (let c = 0; c < options.channels; c++) rings.push(new Float32Array(capacity));
  let read = 0;
  let size = 0;
  let playing = false;
  const stats: JitterBufferStats = {
    underruns: 0,
    droppedFrames: 0,
    playedFrames: 0,
    silentFrames: 0,
  };

  const discard = (frames: number) => {
    read = (read + frames) % capacity;
    size -= frames;
    stats.droppedFrames += frames;
  };

  return {
    push(planes) {
      const first = planes[0];
      if (!first || first.length === 0) return;
      let length = first.length;
      let from = 0;
      if (length > capacity) {
        stats.droppedFrames += length - capacity;
        from = length - capacity;
        length = capacity;
      }
      if (size + length > capacity) discard(size + length - capacity);
      let write = (read + size) % capacity;
      for (let i = 0; i < length; i++) {
        for (let c = 0; c < rings.length; c++) {
          const plane = planes[c] ?? first;
          (rings[c] as Float32Array)[write] = plane[from + i] ?? 0;
        }
        write = write + 1 === capacity ? 0 : write + 1;
      }
      size += length;
      if (size > options.maxFrames) discard(size - options.targetFrames);
      if (!playing && size >= options.startFrames) playing = true;
    },
    pull(outputs, frames) {
      if (!playing) {
        for (const out of outputs) out.fill(0, 0, frames);
        stats.silentFrames += frames;
        return 0;
      }
      const n = Math.min(frames, size);
      for (let c = 0; c < outputs.length; c++) {
        const out = outputs[c] as Float32Array;
        const ring = (rings[c] ?? rings[0]) as Float32Array;
        let r = read;
        for (let i = 0; i < n; i++) {
          out[i] = ring[r] as number;
          r = r + 1 === capacity ? 0 : r + 1;
        }
        out.fill(0, n, frames);
      }
      read = (read + n) % capacity;
      size -= n;
      stats.playedFrames += n;
      if (n < frames) {
        playing = false;
        stats.underruns++;
        stats.silentFrames += frames - n;
      }
      return n;
    },
    get buffered() {
      return size;
    },
    get playing() {
      return playing;
    },
    stats,
    reset() {
      read = 0;
      size = 0;
      playing = false;
    },
  };
}
