/** One decoded block: a plane per channel, and its loudness. */
export interface DecodedBlock {
  readonly planes: Float32Array[];
  readonly frames: number;
  /** RMS over all channels in dBFS (−Infinity for digital silence). */
  readonly levelDbfs: number;
}

export interface OpusStreamConfig {
  readonly sampleRate: number;
  readonly channels: number;
}

/** RMS of float planes in dBFS. */
export function planesLevelDbfs(planes: readonly Float32Array[]): number {
  let sum = 0;
  let count = 0;
  for (const plane of planes) {
    for (let i = 0; i < plane.length; i++) sum += (plane[i] as number) ** 2;
    count += plane.length;
  }
  return sum === 0 || count === 0 ? Number.NEGATIVE_INFINITY : 10 * Math.log10(sum / count);
}

/**
 * Decodes the host's Opus packets with WebCodecs `AudioDecoder` into float planes. A decoder
 * error (a corrupt packet) closes the WebCodecs decoder; the next packet opens a new one.
 */
export class OpusStreamDecoder {
  private decoder: AudioDecoder | undefined;
  errors = 0;
  decoded = 0;

  constructor(
    readonly config: OpusStreamConfig,
    private readonly onBlock: (block: DecodedBlock) => void,
  ) {}

  /** Whether this browser can decode the stream at all. */
  static async supported(config: OpusStreamConfig): Promise<boolean> {
    if (typeof AudioDecoder === 'undefined') return false;
    try {
      const answer = await AudioDecoder.isConfigSupported({
        codec: 'opus',
        sampleRate: config.sampleRate,
        numberOfChannels: config.channels,
      });
      return answer.supported === true;
    } catch {
      return false;
    }
  }

  decode(data: Uint8Array, timestampUs: number): void {
    const decoder = this.open();
    if (!decoder) return;
    try {
      decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: timestampUs, data }));
    } catch {
      this.fail();
    }
  }

  /** Packets queued in the decoder. */
  get queued(): number {
    return this.decoder?.decodeQueueSize ?? 0;
  }

  close(): void {
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = undefined;
  }

  private open(): AudioDecoder | undefined {
    if (this.decoder && this.decoder.state === 'configured') return this.decoder;
    if (typeof AudioDecoder === 'undefined') return undefined;
    const decoder = new AudioDecoder({
      output: (data) => this.output(data),
      error: () => this.fail(),
    });
    try {
      decoder.configure({
        codec: 'opus',
        sampleRate: this.config.sampleRate,
        numberOfChannels: this.config.channels,
      });
    } catch {
      this.errors++;
      return undefined;
    }
    this.decoder = decoder;
    return decoder;
  }

  private output(data: AudioData): void {
    try {
      const frames = data.numberOfFrames;
      const planes: Float32Array[] = [];
      for (let c = 0; c < data.numberOfChannels; c++) {
        const plane = new Float32Array(frames);
        data.copyTo(plane, { planeIndex: c, format: 'f32-planar' });
        planes.push(plane);
      }
      this.decoded++;
      this.onBlock({ planes, frames, levelDbfs: planesLevelDbfs(planes) });
    } catch {
      this.errors++;
    } finally {
      data.close();
    }
  }

  private fail(): void {
    this.errors++;
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = undefined;
  }
}
