import { encodeMessage, type MessageOf } from '@browserpane/protocol';
import type { Logger } from '../log.ts';
import { DESKTOP_OPUS, OpusEncoder, type OpusEncoderOptions } from './opus-encoder.ts';
import { OUT_CHANNELS, SAMPLE_RATE } from './pcm-format.ts';
import { PipeCapture } from './pipe-capture.ts';
import { DEFAULT_SILENCE_GATE, SilenceGate, type SilenceGateOptions } from './silence-gate.ts';

/** What every `audioOut` participant is told before the first packet. */
export const AUDIO_CONFIG: MessageOf<'audioConfig'> = {
  type: 'audioConfig',
  codec: 'opus',
  sampleRate: SAMPLE_RATE,
  channels: OUT_CHANNELS,
};

export interface DesktopAudioOptions {
  /** The FIFO the sink Chromium plays into writes its output to (`PulsePaths.outPipe`). */
  readonly pipe: string;
  readonly log: Logger;
  /** Sends encoded frames to every participant granted `audioOut`. */
  readonly broadcast: (frame: Uint8Array) => void;
  readonly encoder?: OpusEncoderOptions;
  readonly gate?: SilenceGateOptions;
}

export interface DesktopAudioStats {
  framesCaptured: number;
  framesSilent: number;
  packetsSent: number;
  payloadBytes: number;
  wireBytes: number;
  encodeErrors: number;
  captureRestarts: number;
}

/**
 * Desktop audio out: reads what the session's sink plays (from its first sample: the sink writes
 * into a FIFO only while it runs, so a quiet page costs nothing, and a sound after silence is
 * not cut), drops silence (nothing on the wire while the page is quiet, a short hangover after
 * sound), and while someone listens encodes 20 ms Opus packets and hands each to the hub once,
 * already framed, for every listener. While nobody listens, frames are dropped unread.
 */
export class DesktopAudio {
  readonly stats: DesktopAudioStats = {
    framesCaptured: 0,
    framesSilent: 0,
    packetsSent: 0,
    payloadBytes: 0,
    wireBytes: 0,
    encodeErrors: 0,
    captureRestarts: 0,
  };
  private readonly capture: PipeCapture;
  private readonly gate: SilenceGate;
  private encoder: OpusEncoder | undefined;
  private encoderLoading: Promise<void> | undefined;
  private seq = 0;
  private listening = false;
  private closed = false;

  constructor(private readonly options: DesktopAudioOptions) {
    this.gate = new SilenceGate(options.gate ?? DEFAULT_SILENCE_GATE);
    this.capture = new PipeCapture({
      path: options.pipe,
      log: options.log,
      onFrame: (pcm, ptsUs) => this.onFrame(pcm, ptsUs),
    });
  }

  /** Whether someone listens (frames are encoded and sent). */
  get sending(): boolean {
    return this.listening;
  }

  /** Opens the sink's FIFO: from now on what plays is read (and dropped until someone listens). */
  open(): void {
    if (!this.closed) this.capture.start();
  }

  /** Someone listens: encode and send what plays (idempotent). */
  start(): void {
    if (this.closed) return;
    this.encoderLoading ??= OpusEncoder.create(this.options.encoder ?? DESKTOP_OPUS).then(
      (encoder) => {
        if (this.closed) encoder.close();
        else this.encoder = encoder;
      },
      (err) => this.options.log.error('Opus encoder unavailable', { err }),
    );
    this.open();
    this.listening = true;
  }

  /** Nobody listens: drop what plays; the encoder stays ready for the next listener. */
  stop(): void {
    this.listening = false;
    this.gate.reset();
  }

  /** The daemon restarted: read the FIFO afresh. */
  restartCapture(): void {
    this.stats.captureRestarts++;
    this.gate.reset();
    this.capture.stop();
    this.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    this.capture.stop();
    await this.encoderLoading;
    this.encoder?.close();
    this.encoder = undefined;
  }

  private onFrame(pcm: Buffer, ptsUs: number): void {
    this.stats.framesCaptured++;
    if (!this.listening) return;
    if (!this.gate.pass(pcm)) {
      this.stats.framesSilent++;
      return;
    }
    const encoder = this.encoder;
    if (!encoder) return;
    let packets: Buffer[];
    try {
      packets = encoder.encode(pcm);
    } catch (err) {
      this.stats.encodeErrors++;
      if (this.stats.encodeErrors <= 3) this.options.log.warn('Opus encode failed', { err });
      return;
    }
    for (const data of packets) {
      const frame = encodeMessage({
        type: 'audioPacket',
        seq: this.seq,
        ptsUs,
        data,
      });
      this.seq = (this.seq + 1) >>> 0;
      this.stats.packetsSent++;
      this.stats.payloadBytes += data.byteLength;
      this.stats.wireBytes += frame.byteLength;
      this.options.broadcast(frame);
    }
  }
}
