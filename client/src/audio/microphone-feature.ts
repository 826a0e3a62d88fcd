import type { AttachedFeature, ClientFeature, ClientFeatureContext } from '../feature.ts';
import { MediaInputError } from './media-errors.ts';
import { MIC_CHANNELS, MIC_SAMPLE_RATE, MicCapture } from './mic-capture.ts';

export interface MicrophoneStats {
  readonly available: boolean;
  readonly active: boolean;
  readonly packetsSent: number;
  readonly bytesSent: number;
  /** Loudness of the last captured 20 ms block, dBFS. */
  readonly levelDbfs: number;
  readonly blocksDropped: number;
}

/** `client.feature<MicrophoneApi>('microphone')`: the local microphone into the remote browser. */
export interface MicrophoneApi extends AttachedFeature {
  /** Granted `microphone` and driving the session now. */
  readonly available: boolean;
  readonly active: boolean;
  /** Asks for the microphone and starts streaming; rejects with a `MediaInputError`. */
  start(options?: { deviceId?: string; bitrate?: number }): Promise<void>;
  stop(): void;
  stats(): MicrophoneStats;
}

/**
 * Microphone in: the remote browser's default microphone plays what this participant says. Only
 * for the participant driving the session (viewers are never granted `microphone`, and the relay
 * drops mic packets from anyone else). Emits `state` (`{ active }`) on start and stop.
 */
export function microphoneFeature(): ClientFeature<MicrophoneApi> {
  return {
    name: 'microphone',
    wants: ['microphone'],
    messages: [],
    attach: (ctx) => new Microphone(ctx),
  };
}

class Microphone implements MicrophoneApi {
  private capture: MicCapture | undefined;
  private starting: Promise<void> | undefined;
  private seq = 0;
  private packetsSent = 0;
  private bytesSent = 0;

  constructor(private readonly ctx: ClientFeatureContext) {}

  get available(): boolean {
    return this.ctx.capabilities.includes('microphone') && this.ctx.controls();
  }

  get active(): boolean {
    return this.capture !== undefined;
  }

  start(options: { deviceId?: string; bitrate?: number } = {}): Promise<void> {
    if (!this.ctx.capabilities.includes('microphone'))
      return Promise.reject(
        new MediaInputError('not_granted', 'this session does not give you the microphone'),
      );
    if (!this.ctx.controls())
      return Promise.reject(
        new MediaInputError(
          'not_controlling',
          'only the participant driving can use the microphone',
        ),
      );
    if (this.capture) return Promise.resolve();
    this.starting ??= this.open(options).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  stop(): void {
    const capture = this.capture;
    if (!capture) return;
    this.capture = undefined;
    capture.stop();
    if (this.ctx.controls()) this.ctx.send({ type: 'micStop' });
    this.ctx.emit('state', { active: false });
  }

  stats(): MicrophoneStats {
    return {
      available: this.available,
      active: this.active,
      packetsSent: this.packetsSent,
      bytesSent: this.bytesSent,
      levelDbfs: this.capture?.levelDbfs ?? Number.NEGATIVE_INFINITY,
      blocksDropped: this.capture?.blocksDropped ?? 0,
    };
  }

  onAccessChange(): void {
    if (this.capture && !this.ctx.controls()) this.stop();
  }

  dispose(): void {
    this.stop();
  }

  private async open(options: { deviceId?: string; bitrate?: number }): Promise<void> {
    const capture: MicCapture = await MicCapture.start({
      ...options,
      onPacket: (data, timestampUs) => {
        if (this.capture !== capture) return;
        this.ctx.send({ type: 'micPacket', seq: this.seq, ptsUs: Math.max(0, timestampUs), data });
        this.seq = (this.seq + 1) >>> 0;
        this.packetsSent++;
        this.bytesSent += data.byteLength;
      },
      onError: () => {
        if (this.capture === capture) this.stop();
      },
    });
    this.ctx.send({
      type: 'micConfig',
      codec: 'opus',
      sampleRate: MIC_SAMPLE_RATE,
      channels: MIC_CHANNELS,
    });
    this.capture = capture;
    capture.track?.addEventListener('ended', () => {
      if (this.capture === capture) this.stop();
    });
    this.ctx.emit('state', { active: true });
  }
}
