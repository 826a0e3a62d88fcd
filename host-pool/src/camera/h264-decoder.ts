import type { CodecContext, Frame, Packet, SoftwareScaleContext } from 'node-av';
import { type AvLib, loadNodeAv } from '../media/node-av.ts';
import { CameraError } from './errors.ts';

/** The picture size the decoder delivers (what the device was configured with). */
export interface PictureSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes the client's H.264 (Annex B access units, SPS/PPS on keyframes, as WebCodecs emits
 * them) and delivers every picture as YUV 4:2:0 at a fixed size, scaling when the stream's size
 * differs. Decoding runs on the thread pool (`sendPacket`/`receiveFrame`), not the agent's loop.
 */
export class H264Decoder {
  private scaler: SoftwareScaleContext | undefined;
  private scaledFrom = '';
  /** Access units FFmpeg refused (corrupt, or a delta frame before any keyframe). */
  errors = 0;
  pictures = 0;

  private constructor(
    private readonly lib: AvLib,
    private readonly ctx: CodecContext,
    private readonly packet: Packet,
    private readonly decoded: Frame,
    private readonly output: Frame,
    readonly size: PictureSize,
  ) {}

  static async create(size: PictureSize): Promise<H264Decoder> {
    if (size.width % 2 || size.height % 2 || size.width <= 0 || size.height <= 0)
      throw new CameraError('bad_config', 'picture size must be positive and even');
    const lib = await loadNodeAv();
    const { av, constants } = lib;
    const codec = av.Codec.findDecoder(constants.AV_CODEC_ID_H264);
    if (!codec)
      throw new CameraError('decoder_unavailable', 'this FFmpeg build has no H.264 decoder');
    const ctx = new av.CodecContext();
    ctx.allocContext3(codec);
    ctx.threadCount = 1;
    const opened = await ctx.open2(codec, null);
    if (opened < 0) {
      ctx.freeContext();
      throw new CameraError('decoder_unavailable', `H.264 decoder did not open (${opened})`);
    }
    const packet = new av.Packet();
    packet.alloc();
    const decoded = new av.Frame();
    decoded.alloc();
    const output = new av.Frame();
    output.alloc();
    output.width = size.width;
    output.height = size.height;
    output.format = constants.AV_PIX_FMT_YUV420P;
    output.getBuffer(0);
    return new H264Decoder(lib, ctx, packet, decoded, output, size);
  }

  /**
   * Decodes one access unit and calls `onPicture` with each picture it completes (the frame is
   * reused afterwards: copy or write it before the promise settles). A bad access unit counts as
   * an error and returns 0; the decoder recovers at the next keyframe.
   */
  async decode(au: Uint8Array, onPicture: (picture: Frame) => Promise<void>): Promise<number> {
    if (au.byteLength === 0) return 0;
    this.packet.data = Buffer.from(au.buffer, au.byteOffset, au.byteLength);
    const sent = await this.ctx.sendPacket(this.packet);
    this.packet.unref();
    if (sent < 0) {
      this.errors++;
      return 0;
    }
    let count = 0;
    while ((await this.ctx.receiveFrame(this.decoded)) >= 0) {
      try {
        await onPicture(this.scale(this.decoded));
        count++;
        this.pictures++;
      } finally {
        this.decoded.unref();
      }
    }
    return count;
  }

  close(): void {
    this.scaler?.freeContext();
    this.decoded.free();
    this.output.free();
    this.packet.free();
    this.ctx.freeContext();
  }

  private scale(frame: Frame): Frame {
    const { av, constants } = this.lib;
    const same =
      frame.width === this.size.width &&
      frame.height === this.size.height &&
      frame.format === constants.AV_PIX_FMT_YUV420P;
    if (same) return frame;
    const key = `${frame.width}x${frame.height}:${frame.format}`;
    if (!this.scaler || this.scaledFrom !== key) {
      this.scaler?.freeContext();
      this.scaler = new av.SoftwareScaleContext();
      this.scaler.getContext(
        frame.width,
        frame.height,
        frame.format as never,
        this.size.width,
        this.size.height,
        constants.AV_PIX_FMT_YUV420P,
        constants.SWS_BILINEAR,
      );
      this.scaler.initContext();
      this.scaledFrom = key;
    }
    this.output.makeWritable();
    this.scaler.scaleFrameSync(this.output, frame);
    return this.output;
  }
}
