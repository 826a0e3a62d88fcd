import { encodeMessage, type MessageOf } from '@browserpane/protocol';
import type { Logger } from '../log.ts';
import { DESKTOP_OPUS, OpusEncoder, type OpusEncoderOptions } from './opus-encoder.ts';
import { PcmCapture } from './pcm-capture.ts';
import { OUT_CHANNELS, SAMPLE_RATE, samplesToMicros } from './pcm-format.ts';
import { DEFAULT_SILENCE_GATE, SilenceGate, type SilenceGateOptions } from './silence-gate.ts';

/** What every `audioOut` participant is told before the first packet. */
export const AUDIO_CONFIG: MessageOf<'audioConfig'> = {
  type: 'audioConfig',
  codec: 'opus',
  sampleRate: SAMPLE_RATE,
  channels: OUT_CHANNELS,
};

export interface DesktopAudioOptions {
  /** The monitor source of the sink Chromium plays into. */
  readonly device: string;
  readonly pulseEnv: Readonly<Record<string, string>>;
  readonly log: Logger;
  /** Sends encoded frames to every participant granted `audioOut`. */
  readonly broadcast: (frame: Uint8Array) => void;
  readonly encoder?: OpusEncoderOptions;
  readonly gate?: SilenceGateOptions;
  readonly parecPath?: string;
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
 * Desktop audio out: captures the session's sink monitor while someone listens, drops silence
 * (nothing on the wire while the page is quiet, a short hangover after sound), encodes 20 ms Opus
 * packets and hands each to the hub once, already framed, for every listener.
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
  private readonly capture: PcmCapture;
  private readonly gate: SilenceGate;
  private encoder: OpusEncoder | undefined;
  private encoderLoading: Promise<void> | undefined;
  private seq = 0;
  private epochUs = 0;
  private closed = false;

  constructor(private readonly options: DesktopAudioOptions) {
    this.gate = new SilenceGate(options.gate ?? DEFAULT_SILENCE_GATE);
    this.capture = new PcmCapture({
      device: options.device,
      pulseEnv: options.pulseEnv,
      log: options.log,
      parecPath: options.parecPath,
      onFrame: (pcm, offset) => this.onFrame(pcm, offset),
    });
  }

  get capturing(): boolean {
    return this.capture.running;
  }

  /** The recorder's pid while it runs (benchmarks read its CPU). */
  get capturePid(): number | undefined {
    return this.capture.pid;
  }

  /** Starts capturing (idempotent). */
  start(): void {
    if (this.closed) return;
    this.encoderLoading ??= OpusEncoder.create(this.options.encoder ?? DESKTOP_OPUS).then(
      (encoder) => {
        if (this.closed) encoder.close();
        else this.encoder = encoder;
      },
      (err) => this.options.log.error('Opus encoder unavailable', { err }),
    );
    if (!this.capture.running) this.gate.reset();
    this.capture.start();
  }

  /** Stops capturing; the encoder stays ready for the next listener. */
  async stop(): Promise<void> {
    await this.capture.stop();
    this.gate.reset();
  }

  /** The daemon restarted: record from the new one. */
  restartCapture(): void {
    this.stats.captureRestarts++;
    this.gate.reset();
    this.capture.restart();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.capture.stop();
    await this.encoderLoading;
    this.encoder?.close();
    this.encoder = undefined;
  }

  private onFrame(pcm: Buffer, sampleOffset: number): void {
    this.stats.framesCaptured++;
    // each recorder start counts samples from 0: anchor them to the wall clock once
    if (sampleOffset === 0) this.epochUs = nowUs() - 20_000;
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
        ptsUs: this.epochUs + samplesToMicros(sampleOffset),
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

function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
