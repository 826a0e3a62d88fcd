import type { CodecContext, Frame, Packet } from 'node-av';
import { loadNodeAv } from '../media/node-av.ts';
import { AudioError } from './errors.ts';
import { channelLayout } from './opus-encoder.ts';
import { SAMPLE_RATE } from './pcm-format.ts';

/**
 * libopus decoder through node-av: Opus packets (mono or stereo, as the client configured) in,
 * 48 kHz s16le with `outputChannels` channels out (libopus down- or up-mixes).
 */
export class OpusDecoder {
  private constructor(
    private readonly ctx: CodecContext,
    private readonly packet: Packet,
    private readonly frame: Frame,
    readonly outputChannels: 1 | 2,
  ) {}

  static async create(outputChannels: 1 | 2): Promise<OpusDecoder> {
    const { av, constants } = await loadNodeAv();
    const codec = av.Codec.findDecoderByName(constants.FF_DECODER_LIBOPUS);
    if (!codec) throw new AudioError('codec_unavailable', 'this FFmpeg build has no libopus');
    const ctx = new av.CodecContext();
    ctx.allocContext3(codec);
    ctx.sampleRate = SAMPLE_RATE;
    ctx.channelLayout = channelLayout(constants, outputChannels);
    const opened = ctx.open2Sync(codec, null);
    if (opened < 0) {
      ctx.freeContext();
      throw new AudioError('codec_failed', `libopus decoder did not open (${opened})`);
    }
    if (ctx.sampleFormat !== constants.AV_SAMPLE_FMT_S16) {
      ctx.freeContext();
      throw new AudioError('codec_failed', 'libopus decoder does not give s16');
    }
    const packet = new av.Packet();
    packet.alloc();
    const frame = new av.Frame();
    frame.alloc();
    return new OpusDecoder(ctx, packet, frame, outputChannels);
  }

  /**
   * Decodes one packet to interleaved s16le. A corrupt packet throws `bad_frame` and leaves the
   * decoder usable for the next one.
   */
  decode(data: Uint8Array): Buffer {
    if (data.byteLength === 0) throw new AudioError('bad_frame', 'empty Opus packet');
    this.packet.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const sent = this.ctx.sendPacketSync(this.packet);
    this.packet.unref();
    if (sent < 0) throw new AudioError('bad_frame', `Opus packet rejected (${sent})`);
    const parts: Buffer[] = [];
    while (this.ctx.receiveFrameSync(this.frame) >= 0) {
      const plane = this.frame.data?.[0];
      const bytes = this.frame.nbSamples * this.outputChannels * 2;
      if (plane) parts.push(Buffer.from(plane.subarray(0, bytes)));
      this.frame.unref();
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  close(): void {
    this.frame.free();
    this.packet.free();
    this.ctx.freeContext();
  }
}
