import type { MessageOf } from '@browserpane/protocol';
import type { Logger } from '../log.ts';
import { MicSink } from './mic-sink.ts';
import { OpusDecoder } from './opus-decoder.ts';

/** Opus packets carry their own rate; these are the rates a client may announce. */
const OPUS_RATES = new Set([8000, 12000, 16000, 24000, 48000]);
/** Packets kept while the decoder opens (the first config of a session loads FFmpeg). */
const MAX_EARLY_PACKETS = 10;
/** Packets a speaker may send per second on average (20 ms Opus is 50), and in one burst. */
const PACKETS_PER_SECOND = 100;
const PACKET_BURST = 50;

export interface MicrophoneInputOptions {
  readonly device: string;
  readonly pulseEnv: Readonly<Record<string, string>>;
  readonly log: Logger;
  /** Session events (microphone started/stopped) for the edge. */
  readonly record: (type: string, data?: Record<string, unknown>) => void;
  readonly pacatPath?: string;
}

export interface MicrophoneStats {
  packetsDecoded: number;
  packetsDropped: number;
  decodeErrors: number;
  configsRefused: number;
  bytesPlayed: number;
}

/**
 * Microphone in: the participant that sent the latest valid `micConfig` feeds the session's
 * microphone (one speaker at a time; a second one takes over). Its Opus packets are decoded to
 * 48 kHz mono and played into the feed sink; packets without a config, from anyone else or that do
 * not decode are dropped and counted. The hub only routes these messages from participants that
 * control the session and were granted `microphone`.
 */
export class MicrophoneInput {
  readonly stats: MicrophoneStats = {
    packetsDecoded: 0,
    packetsDropped: 0,
    decodeErrors: 0,
    configsRefused: 0,
    bytesPlayed: 0,
  };
  private speaker: string | undefined;
  private decoder: OpusDecoder | undefined;
  private opening: Promise<void> | undefined;
  private early: Uint8Array[] = [];
  private readonly sink: MicSink;
  private generation = 0;
  private tokens = PACKET_BURST;
  private tokensAt = performance.now();

  constructor(private readonly options: MicrophoneInputOptions) {
    this.sink = new MicSink({
      device: options.device,
      pulseEnv: options.pulseEnv,
      log: options.log,
      pacatPath: options.pacatPath,
    });
  }

  /** The connection currently speaking, if any. */
  get activeSpeaker(): string | undefined {
    return this.speaker;
  }

  config(m: MessageOf<'micConfig'>, from: string): void {
    if (
      m.codec !== 'opus' ||
      !OPUS_RATES.has(m.sampleRate) ||
      (m.channels !== 1 && m.channels !== 2)
    ) {
      this.stats.configsRefused++;
      return;
    }
    if (this.speaker && this.speaker !== from) this.end('taken_over');
    const first = this.speaker !== from;
    this.speaker = from;
    const generation = ++this.generation;
    this.decoder?.close();
    this.decoder = undefined;
    this.early = [];
    this.opening = OpusDecoder.create(1).then(
      (decoder) => {
        if (generation !== this.generation) return decoder.close();
        this.decoder = decoder;
        for (const data of this.early.splice(0)) this.play(data);
      },
      (err) => {
        this.options.log.error('Opus decoder unavailable', { err });
        if (generation === this.generation) this.speaker = undefined;
      },
    );
    if (first) this.options.record('microphone_started', { connectionId: from });
  }

  packet(m: MessageOf<'micPacket'>, from: string): void {
    if (from !== this.speaker || !this.takeToken()) {
      this.stats.packetsDropped++;
      return;
    }
    if (!this.decoder) {
      if (this.early.length < MAX_EARLY_PACKETS) this.early.push(m.data);
      else this.stats.packetsDropped++;
      return;
    }
    this.play(m.data);
  }

  stop(from: string): void {
    if (from === this.speaker) this.end('stopped');
  }

  /** A participant left (or lost control): its microphone ends with it. */
  left(connectionId: string): void {
    if (connectionId === this.speaker) this.end('left');
  }

  async close(): Promise<void> {
    this.end('closed');
    await this.opening;
    await this.sink.stop();
  }

  /** A flood of packets (a broken or hostile client) is dropped instead of decoded. */
  private takeToken(): boolean {
    const now = performance.now();
    this.tokens = Math.min(
      PACKET_BURST,
      this.tokens + ((now - this.tokensAt) * PACKETS_PER_SECOND) / 1000,
    );
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  private play(data: Uint8Array): void {
    let pcm: Buffer;
    try {
      pcm = (this.decoder as OpusDecoder).decode(data);
    } catch {
      this.stats.decodeErrors++;
      return;
    }
    this.stats.packetsDecoded++;
    this.sink.write(pcm);
    this.stats.bytesPlayed = this.sink.bytesWritten;
  }

  private end(reason: string): void {
    const speaker = this.speaker;
    this.speaker = undefined;
    this.generation++;
    this.decoder?.close();
    this.decoder = undefined;
    this.early = [];
    void this.sink.stop();
    if (speaker) this.options.record('microphone_stopped', { connectionId: speaker, reason });
  }
}
