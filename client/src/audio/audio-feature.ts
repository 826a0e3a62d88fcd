import { HEADER_BYTES, type Message, type MessageOf } from '@browserpane/protocol';
import type { AttachedFeature, ClientFeature, ClientFeatureContext } from '../feature.ts';
import { AudioPlayer, type PlaybackState } from './audio-player.ts';
import { type DecodedBlock, OpusStreamDecoder } from './opus-stream-decoder.ts';
import { PacketSequence } from './packet-sequence.ts';

/** Frame bytes of an `audioPacket` besides its data: header, tag, seq, ptsUs. */
const PACKET_OVERHEAD = HEADER_BYTES + 1 + 4 + 8;
/** Decoder queue beyond which packets are dropped (the tab could not keep up). */
const MAX_DECODE_QUEUE = 25;
/** Decoded blocks louder than this count as sound (the host's silence threshold). */
const AUDIBLE_DBFS = -50;

export interface AudioStats {
  /** Whether the session grants this participant desktop audio. */
  readonly available: boolean;
  readonly muted: boolean;
  /** `idle` until the first packet; `blocked` while the browser waits for a user gesture. */
  readonly playback: PlaybackState;
  readonly config: { codec: string; sampleRate: number; channels: number } | undefined;
  readonly packets: number;
  /** Bytes of audio frames as received (header + fields + Opus payload). */
  readonly wireBytes: number;
  readonly payloadBytes: number;
  readonly blocksDecoded: number;
  readonly framesDecoded: number;
  readonly decodeErrors: number;
  readonly lost: number;
  readonly stale: number;
  /** Loudness of the last decoded block and the loudest since `resetLevels()`, dBFS. */
  readonly lastLevelDbfs: number;
  readonly maxLevelDbfs: number;
  /** Decoded sound (blocks louder than −50 dBFS) since `resetLevels()`, ms. */
  readonly audibleMs: number;
  readonly bufferedMs: number;
  readonly underruns: number;
  readonly droppedMs: number;
  readonly playedMs: number;
}

/** `client.feature<AudioApi>('audio')`: desktop audio of the remote browser. */
export interface AudioApi extends AttachedFeature {
  readonly available: boolean;
  readonly muted: boolean;
  setMuted(muted: boolean): void;
  /** Starts playback if the browser held it back (call from a click or key handler). */
  resume(): Promise<void>;
  stats(): AudioStats;
  resetLevels(): void;
}

/**
 * Desktop audio out: receives the host's Opus packets (`audioConfig`, then `audioPacket`s; nothing
 * while the remote page is silent), decodes them with WebCodecs and plays them through the
 * jitter-buffer worklet. Emits `state` (`{ playback, muted }`) when playback or mute changes, so
 * an app can ask the user to click once when the browser blocks autoplay.
 */
export function audioFeature(): ClientFeature<AudioApi> {
  return {
    name: 'audio',
    wants: ['audioOut'],
    messages: ['audioConfig', 'audioPacket'],
    attach: (ctx) => new DesktopAudio(ctx),
  };
}

class DesktopAudio implements AudioApi {
  private readonly player: AudioPlayer;
  private readonly sequence = new PacketSequence();
  private decoder: OpusStreamDecoder | undefined;
  private config: MessageOf<'audioConfig'> | undefined;
  private mutedFlag = false;
  private counters = {
    packets: 0,
    wireBytes: 0,
    payloadBytes: 0,
    framesDecoded: 0,
    lost: 0,
    stale: 0,
    dropped: 0,
  };
  private lastLevel = Number.NEGATIVE_INFINITY;
  private maxLevel = Number.NEGATIVE_INFINITY;
  private audibleFrames = 0;

  constructor(private readonly ctx: ClientFeatureContext) {
    this.player = new AudioPlayer(ctx.stage.root, () => this.emitState());
  }

  get available(): boolean {
    return this.ctx.capabilities.includes('audioOut');
  }

  get muted(): boolean {
    return this.mutedFlag;
  }

  setMuted(muted: boolean): void {
    this.mutedFlag = muted;
    this.player.setMuted(muted);
    // an unmute click is a user gesture: a good moment to start held-back playback
    if (!muted) void this.player.resume();
    this.emitState();
  }

  resume(): Promise<void> {
    return this.player.resume();
  }

  resetLevels(): void {
    this.lastLevel = Number.NEGATIVE_INFINITY;
    this.maxLevel = Number.NEGATIVE_INFINITY;
    this.audibleFrames = 0;
  }

  stats(): AudioStats {
    const report = this.player.report;
    const rate = this.player.sampleRate ?? this.config?.sampleRate ?? 48_000;
    const ms = (frames: number) => Math.round((frames / rate) * 1000);
    return {
      available: this.available,
      muted: this.mutedFlag,
      playback: this.player.state,
      config: this.config && {
        codec: this.config.codec,
        sampleRate: this.config.sampleRate,
        channels: this.config.channels,
      },
      packets: this.counters.packets,
      wireBytes: this.counters.wireBytes,
      payloadBytes: this.counters.payloadBytes,
      blocksDecoded: this.decoder?.decoded ?? 0,
      framesDecoded: this.counters.framesDecoded,
      decodeErrors: this.decoder?.errors ?? 0,
      lost: this.counters.lost,
      stale: this.counters.stale,
      lastLevelDbfs: this.lastLevel,
      maxLevelDbfs: this.maxLevel,
      audibleMs: Math.round((this.audibleFrames / (this.config?.sampleRate ?? 48_000)) * 1000),
      bufferedMs: ms(report?.buffered ?? 0),
      underruns: report?.underruns ?? 0,
      droppedMs: ms(report?.droppedFrames ?? 0),
      playedMs: ms(report?.playedFrames ?? 0),
    };
  }

  onMessage(m: Message): void {
    if (m.type === 'audioConfig') this.configure(m);
    else if (m.type === 'audioPacket') this.packet(m);
  }

  dispose(): void {
    this.decoder?.close();
    this.player.close();
  }

  private configure(m: MessageOf<'audioConfig'>): void {
    const same =
      this.config &&
      this.config.codec === m.codec &&
      this.config.sampleRate === m.sampleRate &&
      this.config.channels === m.channels;
    if (same) return;
    if (m.channels < 1 || m.channels > 2 || m.sampleRate < 8000 || m.sampleRate > 192_000) return;
    this.config = m;
    this.decoder?.close();
    this.sequence.reset();
    this.decoder = new OpusStreamDecoder(
      { sampleRate: m.sampleRate, channels: m.channels },
      (block) => this.play(block),
    );
    void this.player.open(m.sampleRate, m.channels);
  }

  private packet(m: MessageOf<'audioPacket'>): void {
    this.counters.packets++;
    this.counters.wireBytes += PACKET_OVERHEAD + m.data.byteLength;
    this.counters.payloadBytes += m.data.byteLength;
    const decoder = this.decoder;
    if (!decoder) return;
    const verdict = this.sequence.accept(m.seq);
    if (verdict.kind === 'stale') {
      this.counters.stale++;
      return;
    }
    if (verdict.kind === 'gap') this.counters.lost += verdict.lost;
    if (decoder.queued > MAX_DECODE_QUEUE) {
      this.counters.dropped++;
      return;
    }
    decoder.decode(m.data, m.ptsUs);
  }

  private play(block: DecodedBlock): void {
    this.counters.framesDecoded += block.frames;
    this.lastLevel = block.levelDbfs;
    if (block.levelDbfs > this.maxLevel) this.maxLevel = block.levelDbfs;
    if (block.levelDbfs > AUDIBLE_DBFS) this.audibleFrames += block.frames;
    this.player.push(block.planes);
  }

  private emitState(): void {
    this.ctx.emit('state', { playback: this.player.state, muted: this.mutedFlag });
  }
}
