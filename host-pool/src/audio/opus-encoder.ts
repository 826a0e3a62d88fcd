import type { ChannelLayout, CodecContext, Packet, Rational } from 'node-av';
import { type AvLib, loadNodeAv } from '../media/node-av.ts';
import { AudioError } from './errors.ts';
import { FRAME_SAMPLES, frameBytes, SAMPLE_RATE } from './pcm-format.ts';

export interface OpusEncoderOptions {
  readonly channels: 1 | 2;
  /** Target bits per second of Opus payload (constrained VBR keeps peaks near it). */
  readonly bitrate: number;
}

/** Desktop audio default: leaves room for framing so the wire stays under 64 kbit/s. */
export const DESKTOP_OPUS: OpusEncoderOptions = { channels: 2, bitrate: 48_000 };

/**
 * libopus through node-av, one 20 ms s16le frame in, one Opus packet out (the encoder has no
 * look-ahead queue at this frame size). Uses the synchronous calls: a 20 ms frame costs ~0.2 ms,
 * less than a thread-pool round trip.
 */
export class OpusEncoder {
  private pts = 0n;

  private constructor(
    private readonly lib: AvLib,
    private readonly ctx: CodecContext,
    private readonly packet: Packet,
    private readonly timeBase: Rational,
    readonly options: OpusEncoderOptions,
  ) {}

  static async create(options: OpusEncoderOptions): Promise<OpusEncoder> {
    const lib = await loadNodeAv();
    const { av, constants } = lib;
    const codec = av.Codec.findEncoderByName(constants.FF_ENCODER_LIBOPUS);
    if (!codec) throw new AudioError('codec_unavailable', 'this FFmpeg build has no libopus');
    const ctx = new av.CodecContext();
    ctx.allocContext3(codec);
    const timeBase = new av.Rational(1, SAMPLE_RATE);
    ctx.sampleRate = SAMPLE_RATE;
    ctx.sampleFormat = constants.AV_SAMPLE_FMT_S16;
    ctx.channelLayout = channelLayout(constants, options.channels);
    ctx.timeBase = timeBase;
    ctx.bitRate = BigInt(options.bitrate);
    // Options go through AVOptions, not an open2 dictionary: node-av double-frees the latter.
    ctx.setOption('application', 'audio');
    ctx.setOption('frame_duration', '20');
    ctx.setOption('vbr', 'constrained');
    const opened = ctx.open2Sync(codec, null);
    if (opened < 0) {
      ctx.freeContext();
      throw new AudioError('codec_failed', `libopus encoder did not open (${opened})`);
    }
    if (ctx.frameSize !== FRAME_SAMPLES) {
      ctx.freeContext();
      throw new AudioError('codec_failed', `unexpected Opus frame size ${ctx.frameSize}`);
    }
    const packet = new av.Packet();
    packet.alloc();
    return new OpusEncoder(lib, ctx, packet, timeBase, options);
  }

  /** Bytes of one input frame. */
  get frameBytes(): number {
    return frameBytes(this.options.channels);
  }

  /** Encodes one 20 ms frame; returns the packet(s) it completed (normally exactly one). */
  encode(pcm: Buffer): Buffer[] {
    if (pcm.byteLength !== this.frameBytes)
      throw new AudioError('bad_frame', `expected ${this.frameBytes} bytes, got ${pcm.byteLength}`);
    const { av, constants } = this.lib;
    const frame = av.Frame.fromAudioBuffer(pcm, {
      nbSamples: FRAME_SAMPLES,
      format: constants.AV_SAMPLE_FMT_S16,
      sampleRate: SAMPLE_RATE,
      channelLayout: channelLayout(constants, this.options.channels),
      pts: this.pts,
      timeBase: this.timeBase,
    });
    this.pts += BigInt(FRAME_SAMPLES);
    try {
      const sent = this.ctx.sendFrameSync(frame);
      if (sent < 0) throw new AudioError('codec_failed', `Opus encode failed (${sent})`);
    } finally {
      frame.free();
    }
    const out: Buffer[] = [];
    while (this.ctx.receivePacketSync(this.packet) >= 0) {
      const data = this.packet.data;
      if (data) out.push(Buffer.from(data));
      this.packet.unref();
    }
    return out;
  }

  close(): void {
    this.packet.free();
    this.ctx.freeContext();
  }
}

/** FFmpeg's channel layout for mono or stereo. */
export function channelLayout(constants: AvLib['constants'], channels: 1 | 2): ChannelLayout {
  return channels === 1 ? constants.AV_CHANNEL_LAYOUT_MONO : constants.AV_CHANNEL_LAYOUT_STEREO;
}
